"""Deleting an active record that a shred left behind: its own key no longer opens, its rows are still there.

A merge shreds the duplicate's key as it deletes it, and a shred tells the key provider first (fail
closed, `vault.keys.data_key_shred`), outside the database transaction. If the merge's commit then fails,
everything rolls back except the provider's refusal: the duplicate is an active record that nothing can
read, nobody can merge, and no purge takes (a purge takes archived and closed records only). Only a shred
revokes a key, so an active record whose own key is refused (`KeyRevoked`) or destroyed in the database
(`KeyShredded`) is exactly this, and the nightly run (`lifecycle.services.lifecycle_run`) deletes it, as
does an operator with `manage.py repair_shredded --apply`.

It is deleted as a purge deletes an archive: its keys shredded again (now in the database too), its
blocking keys, carers, involvements and the rest of its rows deleted, its index number retired, and a
tombstone of counts left (`child:record:removal_completed`; a shielded one's also says that a person vouched
for its shield going with it). The floors above that keep copies of a child under keys of their own
(linkage's review labels, review copies and merges it survived; disclosure's export notes) destroy them
when an archived or closed record is deleted and keep them when an active one is (a merge: its identity
lives on in the survivor). This record's merge never happened and nobody carries its
identity on, so to them its deletion is a purge's: left readable, those copies would outlive the child.

Never a record whose key opens, whatever else about it cannot be read (a damaged value is a fault for a
person: the run counts it `unreadable`), nor a key that fails in any other way (a KEK not available).
Never an archived or closed record either: its purge deletes it when due, and a purge failing after its
shred is taken again the next night. Nor, unless a person says its shield was checked (`shielded_checked`),
a shielded one: a failed merge left the shield on it alone (the survivor gets it only when the merge
commits), and while it is there its keys catch a feed row about the child (held for its LA team: fail
closed, `linkage.linking.creation_hold`).
Deleted with its keys, the same row found only the unshielded survivor and wrote the address the shield
hid onto it. Its LA team first shields the record it was being merged into (if that is the child).
"""

from collections.abc import Iterator
from typing import NamedTuple
from uuid import UUID

from django.db import transaction

from audit.services import event_record
from audit.tags import AuditTag
from children.merged_away import child_row_still_there, key_opens
from children.models import Child, RecordStatus
from children.services import child_rows_locked
from children.shredding import child_shred
from vault.crypto import DecryptionFailed
from vault.keys import data_key_current


def own_key_shredded(child: Child) -> bool:
    """Was `child`'s own key shredded (refused by the provider, or destroyed in the database)?

    False if it opens. Only a refusal that a shred causes counts: any other failure to open the key (a
    KEK not available) is raised, for a person to look at (`children.merged_away.key_opens`). The key in
    use now is asked, not only the one loaded with the row: a DEK rotation may have replaced it since."""
    if key_opens(child.data_key):
        return False
    current = data_key_current(child.data_key)
    return current.pk == child.data_key.pk or not key_opens(current)


def left_shredded(child: Child) -> bool:
    """`own_key_shredded`, and False for any other failure to open the key: a fault, not a shred (the
    nightly run counts it `unreadable`). How the run's scan and the operator's command both ask."""
    try:
        return own_key_shredded(child)
    except DecryptionFailed:
        return False


def removal_complete(*, child_id: UUID, shielded_checked: bool = False) -> bool:
    """Delete one active record whose own key was shredded, leaving its tombstone; False if it is not one
    (gone, no longer active, or its key opens), or it is shielded and `shielded_checked` is not given
    (see the module's docstring), judged again under its row lock."""
    with transaction.atomic():
        child = child_rows_locked().filter(pk=child_id, status=RecordStatus.ACTIVE).first()
        if child is None or (child.shielded and not shielded_checked) or not own_key_shredded(child):
            return False
        carers = child.carers.count()
        involvements = child.involvements.count()
        child_shred(child=child, by=None)
        # Never saved: the floors above read the deleted instance's status to tell a purge (destroy the
        # copies naming it) from a merge (keep them for the survivor). See the module's docstring.
        shielded = child.shielded
        child.status = RecordStatus.ARCHIVED
        child.delete()
        additional: dict[str, int | bool] = {"carers_deleted": carers, "involvements_deleted": involvements}
        if shielded:  # its shield goes with it, lifted by nobody: the log says a person vouched for that
            additional["shield_said_checked"] = True
        event_record(tag=AuditTag.RemovalCompleted, actor=None, child_id=child_id, additional=additional)
    return True


class Removal(NamedTuple):
    """An active record whose own key was shredded, and whether it is shielded (`removal_complete`)."""

    child_id: UUID
    shielded: bool


def active_in_batches(*, fields: tuple[str, ...], batch_size: int) -> Iterator[Child]:
    """Every active record (with its data key; only `fields`), in order of id, read in keyset batches.

    Each batch is one short query (`id > last ORDER BY id LIMIT batch_size`), read whole before the
    next: nothing is held open between batches (no server-side cursor, which a PgBouncer in transaction
    pooling cannot serve across fetches), and at most one batch is in memory (not the whole index, as
    one unbounded query is with server-side cursors disabled). A record is read once: ids only grow along
    the scan. One created meanwhile with an id already passed is left to the next night (not yet due)."""
    active = (
        Child.objects.filter(status=RecordStatus.ACTIVE)
        .select_related("data_key")
        .only(*fields)
        .order_by("pk")
    )
    last: UUID | None = None
    while True:
        batch = list((active if last is None else active.filter(pk__gt=last))[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        last = batch[-1].pk


def active_read_again(child_id: UUID, *, fields: tuple[str, ...]) -> Child | None:
    """The record (with its data key; only `fields`) read again now, once any transaction writing its row
    has finished (`children.merged_away.child_row_still_there`); None if it is gone or no longer active.

    A scan reads a batch and then judges each record in turn: a merge committing in between deletes the
    duplicate and shreds its key, and the scan's copy (active, a key that refuses) looks exactly like a
    failed merge's leftover. Asked before one is counted, it answers as the record stands: merged away
    (None), or still there and still shredded. Waiting for the row's writer covers a merge that has
    shredded but not yet committed."""
    if not child_row_still_there(child_id):
        return None
    return (
        Child.objects.filter(pk=child_id, status=RecordStatus.ACTIVE)
        .select_related("data_key")
        .only(*fields)
        .first()
    )


REMOVAL_FIELDS = ("id", "shielded", "data_key")


def removals_found(*, batch_size: int) -> Iterator[Removal]:
    """Every active record whose own key was shredded: each key opened (nothing decrypted with it), in
    batches (`active_in_batches`). What the operator's command looks for; the nightly run finds them in its
    archive scan instead, which opens every active record's key already. One that looks left shredded is
    read again before it is named (`active_read_again`): a merge committing during the scan is no leftover,
    and a shield applied meanwhile counts."""
    for child in active_in_batches(fields=REMOVAL_FIELDS, batch_size=batch_size):
        if not left_shredded(child):
            continue
        now = active_read_again(child.pk, fields=REMOVAL_FIELDS)
        if now is not None and left_shredded(now):
            yield Removal(now.pk, now.shielded)
