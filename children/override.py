"""Break-glass: an override holder opens a shielded record in an emergency.

The reason is sealed under the child's key, the event is audited, the owning LA team is alerted at
once, and the full record is shown in that one response only: nothing is kept in the session.

An override is a record view too (the fullest there is), so the viewing rules count it in the same
transaction (`view_screen`): many overrides in an hour alert the user's own LA team and, past the hard
threshold, suspend the account, as many views would. A child of another LA than the user's own is
marked on the event, so the outside-LA rule counts it from the log.
"""

from django.db import transaction

from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child
from oversight.misuse import OUTSIDE_HOME_LA, view_screen
from oversight.models import AlertKind
from oversight.services import alert_raise
from vault.sealing import note_seal


def shield_override(*, child: Child, by: User, reason: str) -> None:
    """Audit, alert the child's LA team, then let the viewing rules count it (they may suspend `by`:
    the caller re-checks before showing anything)."""
    reason_sealed = note_seal(child.data_key, context="override", text=reason)
    home_la_id = by.home_la_id
    outside = home_la_id is not None and child.local_authority_id != home_la_id
    with transaction.atomic():
        event_record(
            tag=AuditTag.ShieldOverridden,
            actor=by,
            child_id=child.pk,
            additional={"reason_sealed": reason_sealed, **({OUTSIDE_HOME_LA: True} if outside else {})},
        )
        alert_raise(
            local_authority=child.local_authority,
            kind=AlertKind.SHIELD_OVERRIDE,
            raised_by=by,
            child_id=child.pk,
            reason_sealed=reason_sealed,
            reason_key=child.data_key,
        )
        view_screen(user=by)
