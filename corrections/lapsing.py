"""A correction waiting on a record that has just been archived or closed lapses, in that transaction.

Nobody may decide a correction of a record that is no longer active (`corrections.services` refuses
it), so a pending one would otherwise wait for ever, in the LA team's queue and on the raiser's page.
Lifecycle (a sibling floor, which may not import this) sends `children.signals.record_ended`.
"""

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child
from children.signals import record_ended
from corrections.models import Correction, CorrectionStatus


@receiver(record_ended, dispatch_uid="corrections.lapsing.record_ended")
def corrections_lapse(sender: Any, child: Child, **_: Any) -> None:
    """Each pending correction of `child` lapses undecided, audited (ids and the field, never a value)."""
    pending = list(
        Correction.objects.select_for_update().filter(child_id=child.pk, status=CorrectionStatus.PENDING)
    )
    now = timezone.now()
    for correction in pending:
        correction.status = CorrectionStatus.LAPSED
        correction.decided_at = now
        correction.save(update_fields=["status", "decided_at"])
        event_record(
            tag=AuditTag.CorrectionLapsed,
            actor=None,
            child_id=child.pk,
            additional={"correction_id": str(correction.pk), "field": correction.field},
        )
