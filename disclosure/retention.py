"""A disclosure export's reference and decision reason die with any child the export names.

They are free text sealed under the export's own key (`disclosure.models`), and may name a child: when
a child the export names is purged (`lifecycle.services`, six years after archive or closure), the key
is shredded and both columns blanked, so no backup keeps them readable. The export row stays, with
what an auditor needs in clear: the lawful basis, the fields, who asked and decided, and when. The purge
audits it (`child:copies:shredded`, counts only).

`lifecycle` never imports `disclosure` (siblings): this listens for the child's deletion instead.
"""

from typing import Any
from uuid import UUID

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


def export_notes_shred(export: DisclosureExport) -> None:
    """Shred the export's key (revoked at the provider first) and blank the reference and reason."""
    data_key_shred(DataKey.objects.get(pk=export.data_key_id))
    now = timezone.now()
    DisclosureExport.objects.filter(pk=export.pk).update(
        reference=b"", decision_reason=b"", notes_shredded_at=now
    )


def exports_shred(*, child_id: UUID) -> int:
    """Shred every export naming `child_id` whose notes are still readable; returns how many."""
    exports = list(DisclosureExport.objects.filter(children__pk=child_id, notes_shredded_at__isnull=True))
    for export in exports:
        export_notes_shred(export)
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
