"""An active record whose own key a shred revoked (a merge failing after its shred) is deleted by the
nightly run, as a purge deletes an archive; a record whose key opens is never deleted, whatever else
about it cannot be read. The operator's `repair_shredded` does the same step alone, dry run by default.
"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Carer, Child, RecordStatus
from lifecycle.removal import removal_complete
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import events, move_to, status_of
from tests.personas import make_child
from tests.shredding import shred_rolled_back


def _everything() -> tuple:
    return (
        sorted(Child.objects.values_list("pk", "status", "updated_at")),
        list(AuditEvent.objects.values_list("pk", "tag")),
    )


def test_the_run_deletes_a_record_left_shredded_and_nothing_else(world, child, clock):
    other = make_child(world, given_names="Ben", family_name="Osei")
    shred_rolled_back(child)
    report = lifecycle_run()
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not Carer.objects.filter(child_id=child.pk).exists()
    assert status_of(other) == RecordStatus.ACTIVE
    assert (report.removals_completed, report.unreadable, report.failed) == (1, 0, 0)
    [event] = events(AuditTag.RemovalCompleted)
    assert event.child_id == child.pk and event.actor_id is None
    assert event.additional == {"carers_deleted": 1, "involvements_deleted": 0}
    assert events(AuditTag.ChildPurged) == []  # not a purge: its retention had not ended
    assert events(AuditTag.LifecycleRunCompleted)[-1].additional["removals_completed"] == 1


def test_a_shred_that_committed_on_an_active_record_is_completed_too(world, child, clock):
    """The key destroyed in the database as well as refused by the provider (`KeyShredded`)."""
    from children.shredding import child_shred

    child_shred(child=child, by=None)
    assert lifecycle_run().removals_completed == 1
    assert not Child.objects.filter(pk=child.pk).exists()


def test_a_dry_run_counts_it_and_changes_nothing(world, child, clock):
    shred_rolled_back(child)
    before = _everything()
    dry = lifecycle_run(dry_run=True)
    assert _everything() == before
    assert dry.removals_completed == 1
    assert lifecycle_run().counts() == dry.counts()


def test_a_record_whose_key_opens_is_never_removed(world, child, clock):
    assert removal_complete(child_id=child.pk) is False
    assert status_of(child) == RecordStatus.ACTIVE
    assert events(AuditTag.RemovalCompleted) == [] and events(AuditTag.ChildShredded) == []


def test_a_damaged_row_whose_key_opens_is_reported_and_kept(world, child, clock):
    """A value that will not open under a key that does is a fault for a person, never a removal."""
    Child.objects.filter(pk=child.pk).update(date_of_birth=b"\x01" * 48)
    report = lifecycle_run()
    assert (report.unreadable, report.removals_completed) == (1, 0)
    assert status_of(child) == RecordStatus.ACTIVE


def test_an_archived_record_left_shredded_waits_for_its_purge(world, child, clock):
    """Only active records: an archive (or a closed record) is deleted by its purge when due, as now."""
    move_to(clock, date(2033, 3, 4))
    lifecycle_run()
    shred_rolled_back(child)
    assert removal_complete(child_id=child.pk) is False
    assert lifecycle_run().removals_completed == 0
    assert status_of(child) == RecordStatus.ARCHIVED


def test_the_command_is_a_dry_run_unless_told_to_apply(world, child, clock):
    shred_rolled_back(child)
    out = StringIO()
    call_command("repair_shredded", stdout=out)
    text = out.getvalue()
    assert text.splitlines() == [
        "Active records whose own key was shredded (DRY RUN: nothing changed; --apply to delete them)",
        "  found: 1",
        "  deleted: 0",
    ]
    assert status_of(child) == RecordStatus.ACTIVE
    assert events(AuditTag.RemovalCompleted) == []

    out = StringIO()
    call_command("repair_shredded", "--apply", stdout=out)
    assert out.getvalue().splitlines() == [
        "Active records whose own key was shredded (changes made)",
        "  found: 1",
        "  deleted: 1",
    ]
    assert not Child.objects.filter(pk=child.pk).exists()
    assert len(events(AuditTag.RemovalCompleted, child)) == 1


def test_the_command_names_no_child(world, child, clock):
    shred_rolled_back(child)
    out, err = StringIO(), StringIO()
    call_command("repair_shredded", "--apply", stdout=out, stderr=err)
    text = out.getvalue() + err.getvalue()
    for personal in (str(child.pk), child.index_number, "Amelia", "Thornton", "LS6"):
        assert personal not in text


def test_the_command_says_when_there_is_nothing_to_do(world, child, clock):
    out = StringIO()
    call_command("repair_shredded", "--apply", stdout=out)
    assert out.getvalue().splitlines()[1:] == ["  found: 0", "  deleted: 0"]
    assert status_of(child) == RecordStatus.ACTIVE


@pytest.mark.parametrize("apply", [False, True])
def test_the_command_lists_a_failure_by_id_and_exits_non_zero(world, child, clock, monkeypatch, apply):
    from django.core.management.base import CommandError

    import lifecycle.removal

    shred_rolled_back(child)

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(lifecycle.removal, "child_shred", broken)
    err = StringIO()
    if not apply:  # a dry run deletes nothing, so nothing can fail
        call_command("repair_shredded", stdout=StringIO(), stderr=err)
        assert err.getvalue() == ""
        return
    with pytest.raises(CommandError, match="1 record"):
        call_command("repair_shredded", "--apply", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [f"removal failed for child {child.pk}: OSError"]
    assert Child.objects.filter(pk=child.pk).exists()


def test_more_removals_than_a_night_allows_delete_none_and_ask_for_a_person(
    world, child, clock, settings, caplog
):
    """Only a failed merge leaves such a record, one at a time: many at once means something else (a key
    provider pointed at another environment's revocations, a restore gone wrong), so the run deletes
    none of them and says so, rather than deleting children's records on a guess."""
    settings.LIFECYCLE_REMOVALS_PER_RUN = 1
    other = make_child(world, given_names="Ben", family_name="Osei")
    shred_rolled_back(child)
    shred_rolled_back(other)

    report = lifecycle_run()

    assert Child.objects.filter(pk__in=[child.pk, other.pk]).count() == 2
    assert (report.removals_completed, report.removals_withheld, report.failed) == (0, 2, 0)
    assert events(AuditTag.RemovalCompleted) == []
    assert events(AuditTag.LifecycleRunCompleted)[-1].additional["removals_withheld"] == 2
    assert "repair_shredded" in caplog.text
    out = StringIO()
    with pytest.raises(CommandError, match="2 active records whose own key was shredded were not deleted"):
        call_command("lifecycle_run", stdout=out)
    assert "removals_withheld: 2" in out.getvalue()


def test_removals_up_to_the_nights_limit_are_made(world, child, clock, settings):
    settings.LIFECYCLE_REMOVALS_PER_RUN = 2
    other = make_child(world, given_names="Ben", family_name="Osei")
    shred_rolled_back(child)
    shred_rolled_back(other)
    assert lifecycle_run().removals_completed == 2
