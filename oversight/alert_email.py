"""The alert email: whom to tell that an alert is waiting is whom its queue would serve.

Sits with oversight's pages because it asks `access.policy` (the one place for access rules), which the
services below it may not import: it hears `oversight.signals.alert_stored` after the commit and emails
each candidate (the system administrators for a national alert, else the LA team accounts whose home LA
is the alert's) whom the policy lets see that alert, as they stand when it is sent. A list of its own
("active, not suspended, of the LA's own organisation") emailed members whose training or vetting had
lapsed, and missed team members whose accounts sit with a team organisation of the LA.

The email says only that an alert exists; what it is about is behind sign-in.
"""

import logging
from typing import Any

from django.db.models import QuerySet
from django.dispatch import receiver

from access.permissions import Permission
from access.policy import decide
from accounts.directory import la_team_of
from accounts.models import Role, User
from notices.email import notify_by_email
from oversight.models import Alert, AlertKind
from oversight.signals import alert_stored

logger = logging.getLogger(__name__)

SUBJECT = "ContactPoint alert: action needed"


@receiver(alert_stored, dispatch_uid="oversight.alert_email")
def _on_alert_stored(sender: Any, *, alert_id: int, **kwargs: Any) -> None:
    alert_email_send(alert_id=alert_id)


def alert_email_send(*, alert_id: int) -> None:
    """Email whom the policy lets see alert `alert_id`; nobody (and a warning naming the alert) if
    nobody may at present: the alert stays in the queue for whoever may see it next."""
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        return
    recipients = [
        user.email
        for user in _candidates(alert)
        if decide(actor=user, action=Permission.AlertView, alert=alert)
    ]
    if not recipients:
        logger.warning("alert %s: nobody may see it at present", alert_id)
        return
    notify_by_email(
        subject=SUBJECT,
        message=f"A new alert ({AlertKind(alert.kind).label}) is waiting in your ContactPoint alert queue.",
        recipients=recipients,
        what=f"alert {alert_id}",
    )


def _candidates(alert: Alert) -> QuerySet[User]:
    """The accounts whose queue could hold `alert`; whether each may see it is the policy's."""
    if alert.national:
        return User.objects.filter(role=Role.SYSTEM_ADMIN).select_related("organisation").order_by("pk")
    if alert.local_authority_id is None:  # an LA's alert without its LA: no team's queue holds it
        return User.objects.none()
    return la_team_of(alert.local_authority_id)
