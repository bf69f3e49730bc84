"""Accepting a correction while a practitioner records an involvement on the same child: both finish
(PostgreSQL, two real sessions). The decision locked the child's row and its data key FOR UPDATE in one
statement, while the recording holds the key (shared, from sealing) and then waits for the child's row
for its match check: each waited for the other, and the deadlock's victim was the match check, lost.

The recording is paused once it has sealed, just before its match check, until the decision has finished
(`tests.concurrency.paused_for`): a decision that waited for the recording's key never finishes there."""

from datetime import date

import coordination.recording
from children.models import Involvement
from children.records import InvolvementDetails
from children.selectors import child_details
from children.services import involvement_record
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import correction_accept, correction_raise
from tests.concurrency import paused_for, postgresql_race
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
    details = InvolvementDetails("Bob Example", "GP", world.bob.organisation_id, started_on=date(2024, 9, 2))

    with caplog.at_level("WARNING", logger="coordination.recording"):
        paused_for(  # the recording has sealed (holds the key) when the decision starts and finishes
            monkeypatch,
            coordination.recording,
            "involvement_matches_record",
            before=True,
            read=lambda: involvement_record(child=child, by=world.bob, details=details),
            write=lambda: correction_accept(correction=correction, by=world.lena),
        )

    assert "match check failed" not in caplog.text, "the deadlock's victim was the recording's match check"
    assert "not sent after the commit" not in caplog.text, "the match check after the commit failed"
    assert Involvement.objects.filter(child=child).count() == 1
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.ACCEPTED
    child.refresh_from_db()
    assert child_details(child).family_name == "Thorneton"
