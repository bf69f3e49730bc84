"""Checkpoints over whole cached blocks: a head ending on a block edge, and a backlog too big for one write."""

from datetime import timedelta

from django.utils import timezone

from audit import merkle
from audit.checkpoints import checkpoint_create
from audit.ledger import entry_leaf_hex
from audit.models import AuditEvent, AuditSubtree
from audit.services import event_record
from audit.tags import AuditTag


def test_a_head_ending_on_a_block_edge_names_the_last_event_of_that_block(signed_log, db):
    events = [event_record(tag=AuditTag.SearchPerformed, actor=None, additional={"n": n}) for n in range(8)]
    head = checkpoint_create().head
    assert head.size == 8
    assert head.last_event_id == events[-1].pk
    assert AuditSubtree.objects.filter(level=2).count() == 2


def _backlog(count):
    occurred_at = timezone.now() - timedelta(hours=1)
    rows = []
    for event_id in range(1, count + 1):
        columns = {
            "occurred_at": occurred_at,
            "tag": str(AuditTag.SearchPerformed),
            "actor_id": None,
            "organisation_id": None,
            "child_id": None,
            "additional": {"n": event_id},
        }
        rows.append(AuditEvent(id=event_id, leaf_hash=entry_leaf_hex(id=event_id, **columns), **columns))
    AuditEvent.objects.bulk_create(rows)
    return [bytes.fromhex(row.leaf_hash) for row in rows]


def test_a_large_backlog_is_cached_in_batches_and_hashes_to_the_root_of_every_leaf(signed_log, db, settings):
    """One-leaf blocks make 2n - popcount(n) subtree rows, past the 5000 written in one batch."""
    settings.AUDIT_SUBTREE_CACHE_LEVEL = 0
    count = 2600
    leaves = _backlog(count)
    head = checkpoint_create().head
    assert head.size == count
    assert head.root == merkle.root_of(leaves).hex()
    assert AuditSubtree.objects.count() == 2 * count - count.bit_count() > 5000
