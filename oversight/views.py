"""The LA team's alert queue: misuse alerts and break-glass notices for its own LA."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from access.http import require
from access.permissions import Permission
from accounts.http import signed_in_user
from oversight.models import Alert
from oversight.services import alert_acknowledge, alerts_for


@login_required
@require_http_methods(["GET"])
def alerts(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.AlertView)
    return render(request, "team/alerts.html", {"alerts": alerts_for(local_authority_id=actor.home_la_id)})


@login_required
@require_POST
def acknowledge_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Only the LA team of the alert's own LA; another LA's alert is refused (and audited), not hidden."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.AlertAcknowledge)  # before the lookup: ids are not probed
    alert = get_object_or_404(Alert, pk=alert_id)
    require(actor=actor, action=Permission.AlertAcknowledge, alert=alert)
    if alert_acknowledge(alert=alert, by=actor):
        messages.success(request, "Alert acknowledged")
    return redirect("oversight:alerts")
