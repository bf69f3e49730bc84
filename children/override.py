"""Break-glass: an override holder opens a shielded record in an emergency.

The reason is sealed under the child's key, the event is audited, the owning LA team is alerted at
once, and the full record is shown in that one response only: nothing is kept in the session.
"""

from django.db import transaction

from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child
from oversight.models import AlertKind
from oversight.services import alert_raise
from vault.sealing import note_seal


def shield_override(*, child: Child, by: User, reason: str) -> None:
    reason_sealed = note_seal(child.data_key, context="override", text=reason)
    with transaction.atomic():
        event_record(
            tag=AuditTag.ShieldOverridden,
            actor=by,
            child_id=child.pk,
            additional={"reason_sealed": reason_sealed},
        )
        alert_raise(
            local_authority=child.local_authority,
            kind=AlertKind.SHIELD_OVERRIDE,
            raised_by=by,
            child_id=child.pk,
            reason_sealed=reason_sealed,
            reason_key=child.data_key,
        )
