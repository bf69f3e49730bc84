"""Advisory locks per blocking-key digest: how writers that find or change a child by its keys queue.

A feed row locks the keys it reads before deciding (`linkage.linking.record_keys_lock`). A writer that
changes what such a decision would find (a merge or unmerge refiling or deleting keys, a shield making
the child one a row must be held for) locks the keys the child is filed under *before* its row locks,
so a row deciding about the child finishes first or decides after the writer commits, never in between.
Kept at the children floor, beside the keys themselves, so that lifecycle (the shield) and linkage (the
merge, the feed) take one and the same lock. SQLite runs one writing transaction at a time: none needed.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection

from children.models import BlockingKeyEntry

# Namespace of the advisory locks taken per blocking-key digest (PostgreSQL's two-integer form).
LINK_LOCK_SPACE = 0x43505F4C


def digests_lock(digests: Iterable[int]) -> None:
    """Lock these digests till the transaction ends, in sorted order in one statement (`unnest` keeps
    the array's order), so that writers taking overlapping sets never deadlock among themselves."""
    if connection.vendor != "postgresql":
        return
    locks = sorted({d % 2**31 for d in digests})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, k)) FROM unnest(%s::int[]) AS k",
            [LINK_LOCK_SPACE, locks],
        )


def children_keys_lock(child_ids: list[Any], *, also: list[int] | None = None) -> None:
    """Lock, till the transaction ends, every key these children are filed under now: the keys a feed
    row that finds them locks first. Take it before the children's row locks (see the module's note).
    Keys are read without a lock first; a key refiled in that instant is not covered (a new key of a
    child, which an earlier row could not have found it by)."""
    if connection.vendor != "postgresql":
        return
    digests = BlockingKeyEntry.objects.filter(child_id__in=child_ids).values_list("digest", flat=True)
    # `also`: a record's own digests, taken in the same sorted statement, so that two sets locked one
    # after the other never deadlock with a writer taking both in order.
    digests_lock([*digests, *(also or [])])
