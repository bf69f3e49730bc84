"""Deleting a duplicate a failed merge left shredded, while the LA team runs the merge again or the operator's
command runs beside the nightly job (PostgreSQL: real writers on their own sessions).

Each deletion takes the record's row lock and judges the key again under it: a merge run again at that
moment waits and is then refused in words, never a server error or a deadlock; two deletions at once
delete the record once and audit it once.
"""

import pytest

from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle import removal
from lifecycle.removal import removal_complete
from lifecycle.services import lifecycle_run, removals_repair
from linkage.merging import MergeRefused, child_merge
from linkage.models import ChildMerge
from linkage.tests.test_merge_failing_after_its_shred import _pair, merge_failed_after_its_shred
from tests.concurrency import WAITED, paused_for, postgresql_race, run_together, waiting_at_most

pytestmark = postgresql_race()


@pytest.fixture
def left_shredded(world, monkeypatch):
    survivor, duplicate = _pair(world)
    merge_failed_after_its_shred(monkeypatch, survivor=survivor, duplicate=duplicate, by=world.lena)
    return Child.objects.get(pk=survivor.pk), Child.objects.get(pk=duplicate.pk)


def _merge_again(survivor: Child, duplicate: Child, by: User):
    def merge() -> str:
        try:
            child_merge(survivor=survivor, duplicate=duplicate, by=by)
        except MergeRefused as refused:
            return str(refused)
        return "merged"

    return merge


@pytest.mark.parametrize("attempt", range(3))
def test_the_removal_and_the_merge_run_again_at_once(world, left_shredded, attempt):
    survivor, duplicate = left_shredded
    lena = User.objects.get(pk=world.lena.pk)
    merge = _merge_again(survivor, duplicate, lena)
    removed, merged = run_together(
        2, lambda i: removal_complete(child_id=duplicate.pk) if i == 0 else merge()
    )
    assert removed is True
    assert merged.startswith("one of these records has been")  # removed, or gone ("merged into another")
    assert not Child.objects.filter(pk=duplicate.pk).exists()
    assert not ChildMerge.objects.exists()
    assert AuditEvent.objects.filter(tag=AuditTag.RemovalCompleted).count() == 1


def test_a_merge_run_again_waits_for_the_removal_holding_the_row(world, monkeypatch, left_shredded):
    survivor, duplicate = left_shredded
    lena = User.objects.get(pk=world.lena.pk)
    removed, merged = paused_for(
        monkeypatch,
        removal,
        "child_shred",
        read=lambda: removal_complete(child_id=duplicate.pk),
        write=waiting_at_most(_merge_again(survivor, duplicate, lena)),
        before=True,
    )
    assert (removed, merged) == (True, WAITED)
    assert _merge_again(survivor, duplicate, lena)().startswith("one of these records has been merged")


def test_the_nightly_run_and_the_operators_command_at_once_delete_it_once(left_shredded):
    _, duplicate = left_shredded
    nightly, command = run_together(
        2, lambda i: lifecycle_run() if i == 0 else removals_repair(dry_run=False)
    )
    assert nightly.removals_completed + command.deleted == 1
    assert nightly.failed == command.failed == 0
    assert not Child.objects.filter(pk=duplicate.pk).exists()
    assert AuditEvent.objects.filter(tag=AuditTag.RemovalCompleted).count() == 1
