"""Raising alerts: stored for the LA team's queue and emailed to its members at once."""

from uuid import UUID

from django.db import transaction

from accounts.models import Organisation, Role, User
from oversight.models import Alert, AlertKind
from oversight.notify import notify_by_email


def alert_raise(
    *, local_authority: Organisation, kind: AlertKind, raised_by: User, child_id: UUID | None = None
) -> Alert:
    """The email says only that an alert exists; details are behind sign-in (no personal data by email)."""
    with transaction.atomic():
        alert = Alert.objects.create(
            local_authority=local_authority, kind=kind, child_id=child_id, raised_by=raised_by
        )
    recipients = list(
        User.objects.filter(
            role=Role.LA_TEAM, organisation=local_authority, is_active=True, suspended_at__isnull=True
        ).values_list("email", flat=True)
    )
    notify_by_email(
        subject="ContactPoint alert: action needed",
        message=f"A new alert ({AlertKind(kind).label}) is waiting in your ContactPoint alert queue.",
        recipients=recipients,
        what=f"alert {alert.pk}",
    )
    return alert


def alerts_for(*, local_authority_id: int | None) -> list[Alert]:
    return list(Alert.objects.filter(local_authority_id=local_authority_id).select_related("raised_by")[:200])
