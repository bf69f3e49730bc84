"""A feed row about a child racing the LA team's shield of that child (PostgreSQL: real writers).

A row that reads the child while the shield is not yet committed sees an ordinary record and may open
an ordinary review naming it; the shield's own transaction holds only the reviews committed before it
looks (`linkage.holding`). Such a review stayed in the data manager's queue, whom the policy refuses it,
and the LA team, the only people who may decide about a shielded child, were never shown it. The shield
now takes the child's key locks, as a merge does, before its row: a row finding the child by its keys
either finishes first (and the shield holds its review) or reads the child shielded (and is held).
"""

import threading
from typing import Any

from children.models import Child
from feeds import ingest as ingest_module
from feeds.models import FeedRow, RowOutcome
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from lifecycle import shielding
from lifecycle.shielding import shield_set
from linkage.models import ClericalReview
from linkage.selectors import review_candidate_ids
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child

pytestmark = postgresql_race()

PAUSE = 3.0

# Amelia's details with another NHS number: a review naming her (identifier conflict), never an update.
CONFLICTING = {
    "given_names": "Amelia",
    "family_name": "Thornton",
    "date_of_birth": "2015-03-04",
    "postcode": "LS1 4AB",
    "address_line": "12 Quarry Lane",
    "nhs_number": "401 023 2137",
}


def _paused_after(monkeypatch, module: Any, name: str, until: threading.Event) -> threading.Event:
    """Patch `module.name` so that, once it has returned, its caller waits for `until` (at most PAUSE
    seconds: with the lock in place the other writer waits for this one instead of setting it)."""
    reached = threading.Event()
    original = getattr(module, name)

    def then_pause(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        reached.set()
        until.wait(timeout=PAUSE)
        return result

    monkeypatch.setattr(module, name, then_pause)
    return reached


def _reviews_naming(child: Child) -> list[ClericalReview]:
    return [r for r in ClericalReview.objects.all() if str(child.pk) in review_candidate_ids(r)]


def test_a_row_decided_before_the_shield_committed_has_its_review_held(world, monkeypatch):
    child = make_child(world)
    source = health_source(world)
    shielded_done = threading.Event()
    decided = _paused_after(monkeypatch, ingest_module, "link_decide", shielded_done)

    def work(index: int) -> Any:
        if index == 0:
            return feed_rows_ingest(source, [feed_row(**CONFLICTING)], "b1").status
        assert decided.wait(timeout=30)  # the row has judged Amelia an ordinary record
        try:
            return shield_set(
                child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm"
            )
        finally:
            shielded_done.set()

    assert run_together(2, work) == ["completed", True]
    (fed,) = FeedRow.objects.all()
    assert fed.outcome == RowOutcome.REVIEW
    (review,) = _reviews_naming(child)
    assert review.shielded_hold  # in the LA team's queue, not the data manager's


class _SignalPausedAfter:
    """The shield's signal, sent as before (its reviews held), then the shield waits for `until`."""

    def __init__(self, signal: Any, until: threading.Event) -> None:
        self.signal, self.until, self.sent = signal, until, threading.Event()

    def send(self, *args: Any, **kwargs: Any) -> Any:
        result = self.signal.send(*args, **kwargs)
        self.sent.set()
        self.until.wait(timeout=PAUSE)
        return result


def test_a_row_arriving_while_the_shield_is_uncommitted_is_held(world, monkeypatch):
    child = make_child(world)
    source = health_source(world)
    fed_done = threading.Event()
    paused = _SignalPausedAfter(shielding.shield_applied, fed_done)
    monkeypatch.setattr(shielding, "shield_applied", paused)
    shielding_written = paused.sent

    def work(index: int) -> Any:
        if index == 0:
            return shield_set(
                child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm"
            )
        assert shielding_written.wait(timeout=30)  # written, its reviews held, not yet committed
        try:
            return feed_rows_ingest(source, [feed_row(**CONFLICTING)], "b1").status
        finally:
            fed_done.set()

    assert run_together(2, work) == [True, "completed"]
    (fed,) = FeedRow.objects.all()
    assert fed.outcome == RowOutcome.REVIEW and fed.review is not None
    assert fed.review.shielded_hold
    assert all(review.shielded_hold for review in _reviews_naming(child))
