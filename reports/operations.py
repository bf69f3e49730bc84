"""Homes for the roles that had none: the data manager's data quality summary and the system
administrator's service health page. Neither shows anything about any one child."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from access.http import Refused, require
from access.permissions import Permission
from access.policy import Decision
from accounts.http import signed_in_user
from accounts.models import Organisation
from audit.services import event_record
from audit.tags import AuditTag
from children.records import ReturnIntention
from children.selectors import data_quality_counts
from reports.health import CHECKPOINT_STALE_AFTER, checkpoint_health, key_health


@login_required
@require_http_methods(["GET"])
def data_quality(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.DataQualityView)
    if actor.home_la_id is None:  # the policy has refused this already ("no_organisation")
        raise Refused(Decision(False, "no_organisation"), action=Permission.DataQualityView)
    la = Organisation.objects.get(pk=actor.home_la_id)
    counts = data_quality_counts(local_authority_id=la.pk)
    event_record(tag=AuditTag.DataQualityViewed, actor=actor)
    left = [(ReturnIntention.LABELS[key], n) for key, n in sorted(counts.left_england.items())]
    return render(request, "reports/data_quality.html", {"la": la, "counts": counts, "left_england": left})


@login_required
@require_http_methods(["GET"])
def service_health(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ServiceHealthView)
    event_record(tag=AuditTag.ServiceHealthViewed, actor=actor)
    context = {
        "checkpoint": checkpoint_health(),
        "keys": key_health(),
        "stale_after_minutes": int(CHECKPOINT_STALE_AFTER.total_seconds() // 60),
    }
    return render(request, "reports/service_health.html", context)
