"""A record's key that refused to open: a broken key, or a record merged away (or purged) meanwhile?

A page loads the child, then opens its key; a merge or purge committing in between has shredded the key
(`KeyRevoked`) and deleted the row. A moment later the page would not have loaded the record at all, so
it answers as then (not found, read again, listed without its notes), never a server error. A record
still there whose key the provider refuses (`KeyRevoked`) or the database holds destroyed (`KeyShredded`)
was shredded by a purge or merge that failed after its shred (both tell the provider first): it is
`RecordRemoved`, said in words until the next night's purge deletes it. Any other failure to open a key
is a real fault, raised as it was. One rule for every page that opens a key after loading a record
(`children.views.gone_if_merged_away`, the corrections pages, the audit reports).
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

from children.models import Child
from rowlocks.held import Strength, row_held
from vault.crypto import KeyRevoked
from vault.keys import KeyShredded, data_key_open
from vault.models import DataKey

Opened = TypeVar("Opened")


class RecordRemoved(Exception):
    """The record's key was shredded but its row is still there: a purge (or a merge) that told the key
    provider first (fail closed) failed after its shred, and the rows wait for the next night's purge.
    Nothing of the record can be read again: a page says "This record has been removed"
    (`children.views.removed_record_said`), a list shows the item without the child's details."""

    def __init__(self, child_id: Any) -> None:
        super().__init__("the record's keys were shredded; its rows wait for the purge")
        self.child_id = child_id


def opened_unless_merged_away(child_id: Any, opening: Callable[[], Opened]) -> Opened | None:
    """`opening()` (which opens the record's key), or None if the key refused because the record is gone;
    `RecordRemoved` if the record is still there but its own key no longer opens (shredded). A key that
    refused while the record's own still opens was another record's: raised as it was, never "removed"."""
    try:
        return opening()
    except (KeyRevoked, KeyShredded) as refused:
        if not child_row_still_there(child_id):
            return None
        own = Child.objects.filter(pk=child_id).select_related("data_key").first()
        if own is None:  # deleted since (a purge completing): gone, as above
            return None
        if key_opens(own.data_key):
            # The key that refused was another record's (a page of this child opens some: a family
            # match's other side in a subject access report). This record is not removed: raised as it was.
            raise
        raise RecordRemoved(child_id) from refused


def key_opens(key: DataKey) -> bool:
    """Does the record's own key still open? Not once a shred revoked it at the provider (`KeyRevoked`)
    or destroyed it in the database (`KeyShredded`); any other failure is a real fault, raised."""
    try:
        data_key_open(key)
    except (KeyRevoked, KeyShredded):
        return False
    return True


def child_row_still_there(child_id: Any) -> bool:
    """Is the child's row still there, once any transaction writing it has finished?

    Asked when the record's key refused to open: a merge or purge tells the key provider first (fail
    closed) and deletes the row in the same transaction, so until it commits the key refuses while the
    row, deleted but not yet committed, is still read by every other session. Judged then, the page took
    a record on its way out for a broken key (a server error). Waiting for the row's writer first (FOR KEY
    SHARE on PostgreSQL, which waits for a delete or FOR UPDATE and blocks no reader or other sharer; on
    SQLite the transaction's BEGIN IMMEDIATE waits for the writer) answers as a moment later would: gone,
    or still there with a key that no longer opens (a purge or merge rolled back after its shred).
    """
    with transaction.atomic():
        return row_held(Child, child_id, strength=Strength.KEY_SHARE)
