"""Undoing a merge while a practitioner records an involvement on the surviving record (PostgreSQL: real
writers, each in its own thread and connection).

Recording seals the involvement first, which holds the survivor's data key (FOR KEY SHARE) to the end of
its transaction, and only then locks the child's row (the match check). Undoing the merge locked the
merge, the survivor's row and, in the same statement, the survivor's data key FOR UPDATE: it held the
row and waited for the key while the recording held the key and waited for the row, and PostgreSQL
broke the deadlock by failing one of them. The shield, archive, purge and merge were fixed the same
way in session 21 (`select_for_update(of=...)`); the unmerge was not.
"""

import threading
import time
from datetime import date

import coordination.recording
from children.models import Involvement
from children.records import InvolvementDetails
from children.services import involvement_record
from linkage.merging import child_merge, child_unmerge
from linkage.models import ChildMerge
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child

pytestmark = postgresql_race()


def test_an_unmerge_while_an_involvement_is_recorded_on_the_survivor_finishes_both(
    world, monkeypatch, caplog
):
    survivor = make_child(world, postcode="LS7 3AA")
    duplicate = make_child(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="Same child")
    sealed = threading.Event()
    match_check = coordination.recording.involvement_matches_record

    def sealed_then_checked(**kwargs):
        # The involvement is sealed and saved (the key held); give the unmerge time to take its locks.
        sealed.set()
        time.sleep(0.5)
        return match_check(**kwargs)

    monkeypatch.setattr(coordination.recording, "involvement_matches_record", sealed_then_checked)

    def work(index: int) -> object:
        if index == 0:
            return involvement_record(
                child=survivor,
                by=world.bob,
                details=InvolvementDetails(
                    "Bob Example", "GP", world.bob.organisation_id, started_on=date(2024, 9, 2)
                ),
            )
        assert sealed.wait(timeout=30)
        return child_unmerge(merge=ChildMerge.objects.get(pk=merge.pk), by=world.lena, reason="Not the same")

    with caplog.at_level("WARNING", logger="coordination.recording"):
        recorded, restored = run_together(2, work)

    assert Involvement.objects.filter(pk=recorded.pk, recorded_by=world.bob).exists()
    assert ChildMerge.objects.get(pk=merge.pk).unmerged_at is not None and restored.pk != survivor.pk
    assert "match check failed" not in caplog.text
    assert "not sent after the commit" not in caplog.text, "the match check after the commit failed"
