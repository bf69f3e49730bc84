"""Accepting a correction while a practitioner records an involvement on the same child: both finish
(PostgreSQL, two real sessions). The decision locked the child's row and its data key FOR UPDATE in one
statement, while the recording holds the key (shared, from sealing) and then waits for the child's row
for its match check: each waited for the other, and the deadlock's victim was the match check, lost."""

import threading
import time
from datetime import date

import coordination.recording
from children.models import Involvement
from children.records import InvolvementDetails
from children.selectors import child_details
from children.services import involvement_record
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import correction_accept, correction_raise
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child

pytestmark = postgresql_race("PostgreSQL only: SQLite has one writer")


def test_a_correction_accepted_while_an_involvement_is_recorded_leaves_both_and_the_match_check(
    world, monkeypatch, caplog
):
    child = make_child(world)
    field = field_for("family_name")
    assert field is not None
    correction = correction_raise(
        child=child, field=field, value="Thorneton", reason="Birth certificate", by=world.alice
    )
    sealed = threading.Event()
    match_check = coordination.recording.involvement_matches_record

    def sealed_then_checked(**kwargs):  # the recording has sealed (holds the key) when the decision starts
        sealed.set()
        time.sleep(0.5)
        return match_check(**kwargs)

    monkeypatch.setattr(coordination.recording, "involvement_matches_record", sealed_then_checked)
    details = InvolvementDetails("Bob Example", "GP", world.bob.organisation_id, started_on=date(2024, 9, 2))

    def work(index: int) -> object:
        if index == 0:
            return involvement_record(child=child, by=world.bob, details=details)
        assert sealed.wait(timeout=30)
        correction_accept(correction=correction, by=world.lena)
        return None

    with caplog.at_level("WARNING", logger="coordination.recording"):
        run_together(2, work)

    assert "match check failed" not in caplog.text, "the deadlock's victim was the recording's match check"
    assert Involvement.objects.filter(child=child).count() == 1
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.ACCEPTED
    child.refresh_from_db()
    assert child_details(child).family_name == "Thorneton"
