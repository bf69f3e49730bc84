"""The nightly scan meeting a merge in flight, on two real PostgreSQL sessions.

A merge deletes the duplicate and then shreds its key (the last step before its commit): from that moment
the key refuses while every other session still reads the row, active. The scan judging the duplicate
then took it for a failed merge's leftover (shielded: `removals_shielded`, the command failing and asking
an LA team to check a record about to vanish). Now a suspected leftover is judged again once any
transaction writing its row has finished (`children.merged_away.child_row_still_there`): the scan waits
for the merge's commit and finds the record gone. Synthetic data only.
"""

import threading
import time
from datetime import date

import lifecycle.removal
import lifecycle.services
import linkage.merging
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.services import lifecycle_run, removals_repair
from linkage.merging import child_merge
from tests.concurrency import postgresql_race, run_together
from tests.personas import build_world, make_child

pytestmark = postgresql_race()

HELD = 1.0  # seconds the merge stays uncommitted after its shred, while the scan reaches the duplicate


def _race(monkeypatch, where, name, scan):
    world = build_world()
    made = sorted(
        (
            make_child(
                world, given_names=f"Kid{i}", family_name="Example", date_of_birth=date(2016, 3, 4 + i)
            )
            for i in range(4)
        ),
        key=lambda child: child.pk,
    )
    first, duplicate = made[0], made[-1]
    Child.objects.filter(pk=duplicate.pk).update(shielded=True)
    survivor, duplicate = Child.objects.get(pk=made[1].pk), Child.objects.get(pk=duplicate.pk)

    shredded = threading.Event()
    real_shred, real_judge = linkage.merging.data_key_shred, getattr(where, name)

    def shred_and_hold(key):
        real_shred(key)  # the key refuses from now on; the row's delete is not committed yet
        shredded.set()
        time.sleep(HELD)

    def judge(child, *args):
        if child.pk == first.pk and not shredded.is_set():
            assert shredded.wait(timeout=30)  # the batch was read before the merge began
        return real_judge(child, *args)

    monkeypatch.setattr(linkage.merging, "data_key_shred", shred_and_hold)
    monkeypatch.setattr(where, name, judge)

    def work(index):
        if index == 0:
            return scan()
        return child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="same child")

    report, merge = run_together(2, work)
    assert merge is not None and not Child.objects.filter(pk=duplicate.pk).exists()
    return report


def test_the_nightly_scan_waits_for_the_merge_and_counts_nothing_left(monkeypatch):
    report = _race(monkeypatch, lifecycle.services, "_due_rule", lifecycle_run)
    counts = report.counts()
    assert (counts["removals_shielded"], counts["removals_withheld"], counts["unreadable"]) == (0, 0, 0)
    completed = AuditEvent.objects.filter(tag=AuditTag.LifecycleRunCompleted).latest("pk")
    assert completed.additional["removals_shielded"] == 0


def test_the_operators_command_waits_for_the_merge_too(monkeypatch):
    report = _race(monkeypatch, lifecycle.removal, "left_shredded", lambda: removals_repair(dry_run=True))
    assert (report.found, report.left_shielded_ids) == (0, [])
