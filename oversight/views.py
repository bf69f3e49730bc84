"""The alert queues: the LA team's (misuse alerts and break-glass notices for its own LA), and the system
administrator's (misuse alerts about the accounts they manage, LA team members above all)."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from access.http import decider_ended_refused, require
from access.permissions import Permission
from accounts.http import signed_in_user
from accounts.models import Role, User
from audit.services import event_record
from audit.tags import AuditTag
from oversight.models import Alert
from oversight.services import ALERTS_PER_PAGE, alert_acknowledge, alert_reason, alerts_for


@login_required
@require_http_methods(["GET"])
def alerts(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.AlertView)
    national = actor.role == Role.SYSTEM_ADMIN  # the alerts about the accounts they manage
    # A page at a time (a page number that is not one shows the first, one out of range the last).
    page = Paginator(
        alerts_for(local_authority_id=actor.home_la_id, national=national), ALERTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    queue: list[Alert] = list(page.object_list)
    reasons = {alert.pk: alert_reason(alert) for alert in queue}
    _read_recorded(actor, queue, reasons, page=page.number)
    return render(
        request,
        "oversight/alerts.html",
        {"alerts": queue, "reasons": reasons, "national": national, "page": page},
    )


def _read_recorded(actor: User, queue: list[Alert], reasons: dict[int, str], *, page: int) -> None:
    """Audit the read, ids only: the queue opens each break-glass reason (sealed under the child's key:
    free text about a shielded child) and names the people alerts are about, and every other list of
    the kind (inbox, brokering, corrections, transfers) is audited; the queue was not. The alerts of the
    page shown (`queue`) and its number only: what the person was shown.

    Then one event per child whose reason was opened, under that child's id, as the matches inbox and
    the brokering page record theirs: the reports find a child's events by its id (`reports.reports.
    child_access`, the subject access report), and the queue's own event names no child. Each carries
    the alerts whose reason was read and who raised them (ids only), so a report can tell whose
    emergency access the read was about.
    """
    event_record(
        tag=AuditTag.AlertsViewed,
        actor=actor,
        additional={
            "alert_ids": sorted(alert.pk for alert in queue),
            "reasons_opened": sorted(pk for pk, reason in reasons.items() if reason),
            "page": page,
        },
    )
    opened: dict[UUID, list[Alert]] = {}
    for alert in queue:
        if alert.child_id is not None and reasons[alert.pk]:
            opened.setdefault(alert.child_id, []).append(alert)
    for child_id, alerts in opened.items():
        event_record(
            tag=AuditTag.AlertsViewed,
            actor=actor,
            child_id=child_id,
            additional={
                "alert_ids": sorted(alert.pk for alert in alerts),
                "raised_by_ids": sorted({alert.raised_by_id for alert in alerts}),
            },
        )


@login_required
@require_POST
@decider_ended_refused(Permission.AlertAcknowledge)
def acknowledge_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Only whoever the alert's queue is for (the LA team of its LA, or for a national alert the system
    administrator); anyone else is refused (and audited), not shown a missing page. Asked again as the
    acknowledgement is written: someone cut off or moved to another LA since is refused there."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.AlertAcknowledge)  # before the lookup: ids are not probed
    alert = get_object_or_404(Alert, pk=alert_id)
    require(actor=actor, action=Permission.AlertAcknowledge, alert=alert)
    if alert_acknowledge(alert=alert, by=actor, recheck=_still_theirs):
        messages.success(request, "Alert acknowledged")
    return redirect(_queue_page_url(request.POST.get("page", "")))


# The longest page number the acknowledge form's hidden field is taken at: more digits are no page anyone
# was shown (a queue of a hundred alerts a page would need more than a billion alerts).
_PAGE_DIGITS = 9


def _queue_page_url(page: str) -> str:
    """The queue's page the acknowledge form was on (its hidden `page` field), to go back to it rather than
    the first: a positive whole number only, else the first page. One past the end (the queue shrank
    meanwhile) shows the last, as the pager clamps it (`alerts`)."""
    url = reverse("oversight:alerts")
    if page.isascii() and page.isdigit() and len(page) <= _PAGE_DIGITS and int(page) > 0:
        return f"{url}?page={int(page)}"
    return url


def _still_theirs(alert: Alert, by: User) -> None:
    """The page's policy question, asked again under the acknowledger's lock on the alert and the account
    as stored (`alert_acknowledge`): raises `Refused` (audited, nothing written) if no longer allowed."""
    require(actor=by, action=Permission.AlertAcknowledge, alert=alert)
