"""A disclosure export's reference and decision reason die with any child the export names.

They are free text sealed under the export's own key (`disclosure.models`), and may name a child: when
a child the export names is purged (`lifecycle.services`, six years after archive or closure), the key
is shredded and both columns blanked, so no backup keeps them readable. The export row stays, with
what an auditor needs in clear: the lawful basis, the fields, who asked and decided, and when. The purge
audits it (`child:copies:shredded`, counts only).

`lifecycle` never imports `disclosure` (siblings): this listens for the child's deletion instead.
"""

from functools import partial
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone

from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from disclosure.models import DisclosureExport
from vault.keys import data_key_shred
from vault.models import DataKey

PURGED_STATUSES = (RecordStatus.ARCHIVED, RecordStatus.CLOSED)


def export_notes_shred(export: DisclosureExport, *, blank: bool = True) -> None:
    """Shred the export's key (revoked at the provider first) and blank the reference and reason.

    `blank=False` shreds the key alone (the notes are unreadable from then on) and leaves the export's
    row to `_notes_blank`, for a caller that may not wait for that row (`exports_shred`)."""
    data_key_shred(DataKey.objects.get(pk=export.data_key_id))
    if blank:
        _notes_blank(export.pk)


def _notes_blank(export_id: UUID) -> None:
    DisclosureExport.objects.filter(pk=export_id, notes_shredded_at__isnull=True).update(
        reference=b"", decision_reason=b"", notes_shredded_at=timezone.now()
    )


def exports_shred(*, child_id: UUID) -> int:
    """Shred every export naming `child_id` whose notes are still readable; returns how many.

    Called as the purge deletes the child, holding its row. A download of an export naming the child
    holds the export's row and waits for the children's (`disclosure.services.export_release`): writing
    that export's row here closed the circle, and PostgreSQL failed one of the two (a server error for
    the downloader, or the purge undone after its keys were revoked). So an export whose row is held is
    not waited for: its key is shredded now (nothing opens the notes from here on, and a backup's copy
    of the key is refused by the provider), and its columns are blanked once the purge has committed
    and let the download go. Every other export is blanked here, as before."""
    exports = list(DisclosureExport.objects.filter(children__pk=child_id, notes_shredded_at__isnull=True))
    free = set(
        DisclosureExport.objects.select_for_update(no_key=True, skip_locked=True)
        .filter(pk__in=[export.pk for export in exports])
        .values_list("pk", flat=True)
    )
    for export in exports:
        held = export.pk not in free
        export_notes_shred(export, blank=not held)
        if held:
            transaction.on_commit(partial(_notes_blank, export.pk), robust=True)
    return len(exports)


@receiver(pre_delete, sender=Child, dispatch_uid="disclosure.retention.child_deleted")
def child_deleted(sender: type[Child], instance: Child, **kwargs: Any) -> None:
    if instance.status not in PURGED_STATUSES:
        return
    shredded = exports_shred(child_id=instance.pk)
    if shredded:
        event_record(
            tag=AuditTag.ChildCopiesShredded,
            actor=None,
            child_id=instance.pk,
            additional={"disclosure_exports_shredded": shredded},
        )
