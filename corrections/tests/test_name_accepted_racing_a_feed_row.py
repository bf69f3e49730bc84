"""Accepting a name correction racing a feed row, and a shield, about the same child (PostgreSQL: real
writers).

An accepted name refiles the child's blocking keys (`children.services.child_details_update`) without
taking the key locks (`children.key_locks`) a feed row, a shield or a merge takes before the child's row.
These pin why that leaves no row deciding between them unheld: a correction changes one detail, so the
keys the child is filed under that do not hold it (given name and date of birth, postcode and date of
birth) stay, and any row close enough to be about the child shares them. A row in the corrected name
reads the child through them, as it is (the accept not yet committed), or waits on the shield holding
them.
"""

import threading
import time
from typing import Any

from children.models import Child
from corrections import services as services_module
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import correction_accept, correction_raise
from feeds.models import FeedRow, RowOutcome
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from lifecycle import shielding
from lifecycle.shielding import shield_set
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child

pytestmark = postgresql_race()

PAUSE = 3.0
# A family name sharing no name key with "Thornton" (another first and last letter, another sound).
CORRECTED = "Mwangi"
ROW = {
    "given_names": "Amelia",
    "family_name": CORRECTED,
    "date_of_birth": "2015-03-04",
    "postcode": "LS1 4AB",
    "address_line": "12 Quarry Lane",
}


def _paused_after_applying(monkeypatch, until: threading.Event) -> threading.Event:
    """The accept writes the corrected name (and refiles the keys), then waits for `until` (at most PAUSE
    seconds) before it commits."""
    applied = threading.Event()
    original = services_module.field_apply

    def then_pause(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        applied.set()
        until.wait(timeout=PAUSE)
        return result

    monkeypatch.setattr(services_module, "field_apply", then_pause)
    return applied


def _raised(world, child: Child) -> Correction:
    field = field_for("family_name")
    assert field is not None
    return correction_raise(
        child=child, field=field, value=CORRECTED, reason="Her name on the adoption order", by=world.alice
    )


def test_a_row_in_the_corrected_name_of_a_shielded_child_arriving_mid_accept_is_held(world, monkeypatch):
    child = make_child(world, shielded=True)
    correction = _raised(world, child)
    source = health_source(world)
    fed_done = threading.Event()
    applied = _paused_after_applying(monkeypatch, fed_done)

    def work(index: int) -> Any:
        if index == 0:
            correction_accept(correction=Correction.objects.get(pk=correction.pk), by=world.lena)
            return "accepted"
        assert applied.wait(timeout=30)  # the corrected name written and refiled, not yet committed
        try:
            return feed_rows_ingest(source, [feed_row(**ROW)], "b1").status
        finally:
            fed_done.set()

    assert run_together(2, work) == ["accepted", "completed"]
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.ACCEPTED
    assert list(Child.objects.values_list("pk", flat=True)) == [child.pk], "no second record of the child"
    (fed,) = FeedRow.objects.all()
    assert fed.outcome == RowOutcome.REVIEW and fed.review is not None
    assert fed.review.shielded_hold  # for the shielded child's LA team


class _SignalPausedAfter:
    """The shield's signal, sent as before, then the shield waits for `until` (at most PAUSE seconds)."""

    def __init__(self, signal: Any, until: threading.Event) -> None:
        self.signal, self.until, self.sent = signal, until, threading.Event()

    def send(self, *args: Any, **kwargs: Any) -> Any:
        result = self.signal.send(*args, **kwargs)
        self.sent.set()
        self.until.wait(timeout=PAUSE)
        return result


def test_a_row_in_the_corrected_name_while_a_shield_waits_on_the_accept_is_held(world, monkeypatch):
    """The shield locks the keys the child is filed under before the accept commits (the old name's), then
    waits for the child's row; a row in the corrected name arriving once the shield has written, not yet
    committed, still meets it through the keys the name does not hold, and is held."""
    child = make_child(world)
    correction = _raised(world, child)
    source = health_source(world)
    released, fed_done = threading.Event(), threading.Event()
    applied = _paused_after_applying(monkeypatch, released)
    paused = _SignalPausedAfter(shielding.shield_applied, fed_done)
    monkeypatch.setattr(shielding, "shield_applied", paused)

    def work(index: int) -> Any:
        if index == 0:
            correction_accept(correction=Correction.objects.get(pk=correction.pk), by=world.lena)
            return "accepted"
        if index == 1:
            assert applied.wait(timeout=30)
            threading.Timer(
                1.0, released.set
            ).start()  # the shield has locked the old keys, waits for the row
            return shield_set(
                child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm"
            )
        assert paused.sent.wait(timeout=30)  # the accept committed; the shield written, not committed
        try:
            time.sleep(0.2)
            return feed_rows_ingest(source, [feed_row(**ROW)], "b1").status
        finally:
            fed_done.set()

    assert run_together(3, work) == ["accepted", True, "completed"]
    assert list(Child.objects.values_list("pk", flat=True)) == [child.pk]
    (fed,) = FeedRow.objects.all()
    assert fed.outcome == RowOutcome.REVIEW and fed.review is not None
    assert fed.review.shielded_hold
