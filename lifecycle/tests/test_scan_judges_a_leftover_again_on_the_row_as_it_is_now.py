"""The scan judges a record "left shredded by a failed merge" only on its row and key read again.

The scan reads a batch of active records (with their keys) and judges each in turn; a merge committing
in between shreds the duplicate's key and deletes it, and the scan's copy of the row, still "active",
with a key that now refuses, looked exactly like a failed merge's leftover. Shielded, it was counted
`removals_shielded` (the command exited non-zero and asked an LA team to check the shield of a record
that no longer exists, and the run's audit event said so); unshielded, it counted toward
LIFECYCLE_REMOVALS_PER_RUN. The operator's `repair_shredded` counted it `found` (or `left_shielded`) the
same way. Now a suspected leftover is read again (its status and its key) before it is counted: gone, or
no longer active, it is nothing left. A real leftover is still counted. Synthetic data only.
"""

from datetime import date

import pytest

import lifecycle.removal
import lifecycle.services
from audit.tags import AuditTag
from children.models import Child
from lifecycle.services import lifecycle_run, removals_repair
from lifecycle.tests.support import events
from linkage.merging import child_merge
from tests.personas import make_child
from tests.shredding import shred_rolled_back


@pytest.fixture
def trio(world, clock):
    """The first record the scan reads, a survivor, and a shielded duplicate the scan reads last."""
    made = sorted(
        (
            make_child(
                world, given_names=f"Kid{i}", family_name="Example", date_of_birth=date(2016, 3, 4 + i)
            )
            for i in range(4)
        ),
        key=lambda child: child.pk,
    )
    first, survivor, duplicate = made[0], made[1], made[-1]
    Child.objects.filter(pk=duplicate.pk).update(shielded=True)
    return first, Child.objects.get(pk=survivor.pk), Child.objects.get(pk=duplicate.pk)


def _merging_when_judged(monkeypatch, where, name, world, first, survivor, duplicate) -> None:
    """`where.name`, made to commit the merge when the scan judges `first` (its batch already read)."""
    real = getattr(where, name)

    def merging(child, *args):
        if child.pk == first.pk and Child.objects.filter(pk=duplicate.pk).exists():
            child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="same child")
        return real(child, *args)

    monkeypatch.setattr(where, name, merging)


@pytest.mark.parametrize("shielded", [True, False])
def test_a_duplicate_merged_away_during_the_scan_is_not_counted_left_shredded(
    world, trio, monkeypatch, settings, shielded
):
    first, survivor, duplicate = trio
    if not shielded:  # counted, it would withhold the night's removals (none allowed here)
        settings.LIFECYCLE_REMOVALS_PER_RUN = 0
        Child.objects.filter(pk=duplicate.pk).update(shielded=False)
        duplicate.refresh_from_db()
    _merging_when_judged(monkeypatch, lifecycle.services, "_due_rule", world, first, survivor, duplicate)
    report = lifecycle_run()
    assert not Child.objects.filter(pk=duplicate.pk).exists()  # the merge committed during the scan
    counts = report.counts()
    left = ("removals_shielded", "removals_withheld", "removals_completed", "unreadable", "failed")
    assert [counts[name] for name in left] == [0] * len(left)
    assert events(AuditTag.LifecycleRunCompleted)[-1].additional == counts


def test_the_operators_command_does_not_find_it_either(world, trio, monkeypatch):
    first, survivor, duplicate = trio
    _merging_when_judged(monkeypatch, lifecycle.removal, "left_shredded", world, first, survivor, duplicate)
    report = removals_repair(dry_run=True)
    assert (report.found, report.left_shielded, report.left_shielded_ids) == (0, 0, [])


def test_a_real_leftover_read_again_is_still_counted(world, trio):
    _, _, duplicate = trio
    shred_rolled_back(duplicate)
    assert lifecycle_run(dry_run=True).removals_shielded == 1
    report = removals_repair(dry_run=True)
    assert (report.found, report.left_shielded_ids) == (1, [duplicate.pk])


def test_a_leftover_shielded_since_the_scan_read_it_is_judged_shielded(world, trio, monkeypatch):
    """Read again, the row says what holds now: a shield applied meanwhile keeps it from the removal."""
    first, _, duplicate = trio
    Child.objects.filter(pk=duplicate.pk).update(shielded=False)
    shred_rolled_back(duplicate)
    real = lifecycle.services._due_rule

    def shielding(child, today):
        if child.pk == first.pk:
            Child.objects.filter(pk=duplicate.pk).update(shielded=True)
        return real(child, today)

    monkeypatch.setattr(lifecycle.services, "_due_rule", shielding)
    report = lifecycle_run()
    assert (report.removals_shielded, report.removals_completed) == (1, 0)
    assert Child.objects.filter(pk=duplicate.pk).exists()
