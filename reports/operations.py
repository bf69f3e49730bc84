"""Homes for the roles that had none: the data manager's data quality summary and the system
administrator's service health page. Neither shows anything about any one child beyond an index
number: the data manager's list of records needing correction names each by index number and the
field to correct, never a value (opening one to decide it is the corrections pages' job, audited there).
The list is the LA's queue of pending corrections, shown and audited a page at a time under the queue's own
page size (`corrections.views.LIST_LIMIT`, `?page=N`): page N here lists what page N of the queue lists,
and no one view, nor its audit event, holds a whole LA's queue.
The data manager works their own LA's queue only: another LA's count of waiting corrections is a small
figure about that LA's children, and figures across LAs are management information (insight), suppressed there.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from access.http import Refused, require
from access.permissions import Permission
from access.policy import Decision, correction_decide
from accounts.http import signed_in_user
from accounts.models import Organisation
from audit.services import event_record
from audit.tags import AuditTag
from children.records import ReturnIntention
from children.selectors import data_quality_counts
from corrections import views as correction_pages
from corrections.fields import field_label
from corrections.models import Correction
from corrections.selectors import corrections_pending, listed_ids
from reports.health import (
    CHECKPOINT_STALE_AFTER,
    TOKEN_EXPIRY_WARNING,
    checkpoint_health,
    feed_batch_health,
    key_health,
    records_left_shredded,
    tokens_expiring,
)


@login_required
@require_http_methods(["GET"])
def data_quality(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.DataQualityView)
    if actor.home_la_id is None:  # the policy has refused this already ("no_organisation")
        raise Refused(Decision(False, "no_organisation"), action=Permission.DataQualityView)
    la = Organisation.objects.get(pk=actor.home_la_id)
    counts = data_quality_counts(local_authority_id=la.pk)
    # A page at a time, as the queue (a page number that is not one shows the first, one out of range the last).
    page = Paginator(corrections_pending(local_authority_id=la.pk), correction_pages.LIST_LIMIT).get_page(
        request.GET.get("page")
    )
    shown: list[Correction] = list(page.object_list)
    pending = [
        {
            "correction": correction,
            "label": field_label(correction.field),
            "may_decide": correction_decide(actor=actor, correction=correction).allowed,
        }
        for correction in shown
    ]
    # The page names each child by index number: the log says which (ids only), as the LA team's queue.
    # `pending_corrections` is the figure the page states (waiting in all); those it named are the ids.
    event_record(
        tag=AuditTag.DataQualityViewed,
        actor=actor,
        additional={
            "pending_corrections": page.paginator.count,
            **listed_ids(shown, key="correction_ids"),
        },
    )
    left = [(ReturnIntention.LABELS[key], n) for key, n in sorted(counts.left_england.items())]
    context = {
        "la": la,
        "counts": counts,
        "left_england": left,
        "pending": pending,
        "page": page,
    }
    return render(request, "reports/data_quality.html", context)


@login_required
@require_http_methods(["GET"])
def service_health(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ServiceHealthView)
    event_record(tag=AuditTag.ServiceHealthViewed, actor=actor)
    context = {
        "checkpoint": checkpoint_health(),
        "keys": key_health(),
        "feed_batches": feed_batch_health(),
        "left_shredded": records_left_shredded(),
        "tokens_expiring": tokens_expiring(),
        "token_warning_days": TOKEN_EXPIRY_WARNING.days,
        "stale_after_minutes": int(CHECKPOINT_STALE_AFTER.total_seconds() // 60),
    }
    return render(request, "reports/service_health.html", context)
