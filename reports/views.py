"""Audit report and subject access pages. Each view: decide, read or produce, audit, render.

Viewing a report page and exporting a summary are themselves audited (`ReportViewed`,
`ReportExported`), with the filter as ids and dates only, so a reviewer's curiosity is reviewable too.
Exports are aggregate counts only (day, tag, organisation): no row of the log ever leaves the service.
"""

import csv
from dataclasses import replace
from datetime import date
from io import StringIO
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from access.http import LOOKUPS_LIMITED, permitted_child, refusal, search_over_limit
from access.permissions import Permission
from access.policy import decide
from accounts.http import signed_in_user
from accounts.models import Role, User
from accounts.stepup import step_up
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag, tag_label
from children.models import Child
from children.views import gone_if_merged_away
from disclosure.spreadsheet import csv_cell
from oversight.http import signed_out_if_suspended
from reports.forms import MAX_SCOPE_WIDE_DAYS, LookupForm, ReportFilterForm, SubjectAccessForm
from reports.pdf import subject_access_pdf
from reports.reports import (
    DEFAULT_SUMMARY_DAYS,
    PAGE_SIZE,
    USER_MATCH_LIMIT,
    SummaryTooLarge,
    activity_in_scope,
    child_access,
    child_lookup,
    event_summary,
    report_rows,
    unexplained_views,
    user_activity,
    user_lookup,
)
from reports.subject_access import (
    HeldSection,
    SubjectAccessReport,
    subject_access_record,
    subject_access_report,
)

REPORTS = ("activity", "user", "child", "unexplained")
# Reports over everything in the reader's scope (nationally, the whole log): read in a bounded period only.
# A user's or a child's report is bounded by its own index (actor, child) and reads its whole history.
SCOPE_WIDE_REPORTS = ("activity", "unexplained")


def _child(request: HttpRequest, actor: User, child_id: UUID, action: Permission) -> Child:
    """The child, if `actor` may do `action` on it: the role first (ids are not probed), then the child
    as on every page taking its id (`access.http.permitted_child`: a made-up, archived or closed id to
    whoever may not identify the child answer alike, and such a look-up is counted)."""
    return permitted_child(request, actor, child_id, action)


def _period_record(period: tuple[date | None, date | None]) -> dict[str, str | None]:
    start, end = period
    return {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None}


def _page(request: HttpRequest, events: QuerySet[AuditEvent]) -> Page:
    """The requested page of `events`, read now: the page records its own view next (`_viewed`), an event
    that a page read later (newest first) would show in place of the oldest event it counted."""
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return page


def _viewed(
    request: HttpRequest, report: str, page: Page, period: tuple[date | None, date | None], **ids: Any
) -> None:
    child_id = ids.pop("child_id", None)
    event_record(
        tag=AuditTag.ReportViewed,
        actor=request.user,
        child_id=child_id,
        additional={"report": report, "page": page.number, **_period_record(period), **ids},
    )


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """The reports menu; looking up a username or index number leads to that report.

    The look-ups run on POST only, as the practitioner search and the archive finder do, so a child's
    index number or a person's name never reaches a URL (history, access logs, the next Referer). A GET
    is the empty menu, whatever its query string says: nothing is looked up, audited or shown again.
    A match is answered 303 to the report by id; several matches, or none, on the POST itself.
    """
    actor = signed_in_user(request)
    if refused := refusal(request, actor=actor, action=Permission.AuditReportView):
        return refused
    form = LookupForm(request.POST if request.method == "POST" else None)
    matches: list[User] = []
    status = 200
    if form.is_valid() and _over_the_search_limit(actor, form):
        form.add_error(None, LOOKUPS_LIMITED)
        status = 429
    elif form.is_valid():
        username, number = form.cleaned_data["username"], form.cleaned_data["index_number"]
        if username:
            matches = _users_in_scope(actor, user_lookup(text=username, fetched_by=actor))
            if len(matches) == 1:
                return _see_other("audit:user_activity", user_id=matches[0].pk)
            if not matches:
                form.add_error("username", "No account matches that name or username")
        if number:
            child = child_lookup(index_number=number)
            if _lookup_in_scope(actor, "index_number", child=child) and child is not None:
                return _see_other("audit:child_access", child_id=child.pk)
            form.add_error("index_number", "No record has that index number")
    context = {
        "form": form,
        "matches": matches[:USER_MATCH_LIMIT],
        "more_matches": len(matches) > USER_MATCH_LIMIT,
        "national": actor.role == Role.NATIONAL_AUDITOR,
        "summary_days": DEFAULT_SUMMARY_DAYS,
    }
    return render(request, "reports/index.html", context, status=status)


def _over_the_search_limit(actor: User, form: LookupForm) -> bool:
    """A look-up turns typed text into a person or a child, as a search does, so it counts against the
    person's search limit (one budget however they look); past it nothing is looked up."""
    asked = form.cleaned_data["username"] or form.cleaned_data["index_number"]
    return bool(asked) and search_over_limit(actor, page="audit_lookup")


def _see_other(url_name: str, **ids: Any) -> HttpResponse:
    """A redirect by id after a posted look-up: 303, so the browser fetches the report with GET."""
    response = redirect(url_name, **ids)
    response.status_code = 303
    return response


def _users_in_scope(actor: User, candidates: list[User]) -> list[User]:
    """The matching accounts whose activity `actor` may review; one audit event for the look-up.

    Accounts outside the scope are left out as if they did not exist (see `_lookup_in_scope`).
    """
    allowed = [
        u for u in candidates if decide(actor=actor, action=Permission.AuditReportView, subject=u).allowed
    ]
    ids = {"subject_id": allowed[0].pk} if len(allowed) == 1 else {}
    event_record(
        tag=AuditTag.ReportLookup,
        actor=actor,
        additional={"lookup": "username", "found": bool(allowed), "matches": len(allowed), **ids},
    )
    return allowed


def _lookup_in_scope(
    actor: User, lookup: str, *, child: Child | None = None, subject: User | None = None
) -> bool:
    """Audit one look-up and say whether its match is within the actor's report scope.

    A match outside the scope answers exactly like no match, so an LA team cannot turn another LA's
    index number (or username) into an id; the national auditor's scope is national (index numbers only).
    """
    matched = child is not None or subject is not None
    found = (
        matched
        and decide(actor=actor, action=Permission.AuditReportView, child=child, subject=subject).allowed
    )
    ids = {"subject_id": subject.pk} if subject is not None else {}
    event_record(
        tag=AuditTag.ReportLookup,
        actor=actor,
        child_id=child.pk if child is not None else None,
        additional={"lookup": lookup, "found": found, **ids},
    )
    return found


@login_required
@require_http_methods(["GET"])
def user_activity_report(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    if refused := refusal(request, actor=actor, action=Permission.AuditReportView):
        return refused  # before the lookup: account ids are not probed
    subject = get_object_or_404(User.objects.select_related("organisation"), pk=user_id)
    if refused := refusal(request, actor=actor, action=Permission.AuditReportView, subject=subject):
        return refused
    filters = ReportFilterForm(request.GET or None)
    period = filters.period()
    page = _page(
        request, user_activity(subject=subject, fetched_by=actor, date_from=period[0], date_to=period[1])
    )
    rows = report_rows(events=page, fetched_by=actor)
    _viewed(request, "user", page, period, subject_id=subject.pk)
    context = {
        "subject": subject,
        "filters": filters,
        "page": page,
        "rows": rows,
        "export": {"report": "user", "user": subject.pk},
    }
    return render(request, "reports/user_activity.html", context)


@login_required
@require_http_methods(["GET"])
def child_access_report(request: HttpRequest, child_id: UUID) -> HttpResponse:
    actor = signed_in_user(request)
    child = _child(request, actor, child_id, Permission.AuditReportView)
    filters = ReportFilterForm(request.GET or None)
    period = filters.period()
    page = _page(request, child_access(child=child, fetched_by=actor, date_from=period[0], date_to=period[1]))
    rows = report_rows(events=page, fetched_by=actor)
    _viewed(request, "child", page, period, child_id=child.pk)
    context = {
        "child": child,
        "filters": filters,
        "page": page,
        "rows": rows,
        "export": {"report": "child", "child": child.pk},
        "can_produce_sar": decide(actor=actor, action=Permission.SubjectAccessProduce, child=child).allowed,
    }
    return render(request, "reports/child_access.html", context)


@login_required
@require_http_methods(["GET"])
def unexplained(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    if refused := refusal(request, actor=actor, action=Permission.AuditReportView):
        return refused
    filters = ReportFilterForm(request.GET or None, max_days=MAX_SCOPE_WIDE_DAYS)
    period = filters.bounded_period(DEFAULT_SUMMARY_DAYS)
    page = _page(request, unexplained_views(fetched_by=actor, date_from=period[0], date_to=period[1]))
    _viewed(request, "unexplained", page, period)
    context = {
        "filters": filters,
        "page": page,
        "rows": report_rows(events=page, fetched_by=actor),
        "export": {"report": "unexplained"},
        "summary_days": DEFAULT_SUMMARY_DAYS,
        "max_days": MAX_SCOPE_WIDE_DAYS,
    }
    return render(request, "reports/unexplained.html", context)


def _export_events(
    request: HttpRequest, actor: User, report: str, period: tuple[date | None, date | None]
) -> tuple[QuerySet[AuditEvent], dict[str, Any]] | HttpResponse:
    """The filtered events of one report, after the same policy check as the report page itself."""
    start, end = period
    if report == "user":
        subject = get_object_or_404(User, pk=_int_or_404(request.GET.get("user")))
        if refused := refusal(request, actor=actor, action=Permission.AuditReportView, subject=subject):
            return refused
        return user_activity(subject=subject, fetched_by=actor, date_from=start, date_to=end), {
            "subject_id": subject.pk
        }
    if report == "child":
        child = _child(request, actor, _uuid_or_404(request.GET.get("child")), Permission.AuditReportView)
        return child_access(child=child, fetched_by=actor, date_from=start, date_to=end), {
            "child_id": child.pk
        }
    if report == "unexplained":
        return unexplained_views(fetched_by=actor, date_from=start, date_to=end), {}
    return activity_in_scope(fetched_by=actor, date_from=start, date_to=end), {}


def _int_or_404(value: str | None) -> int:
    # isdigit() is true for "²" and other digits int() refuses; ids are short ASCII digit strings.
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise Http404
    return int(value)


def _uuid_or_404(value: str | None) -> UUID:
    try:
        return UUID(value or "")
    except ValueError as error:
        raise Http404 from error


@login_required
@require_http_methods(["GET"])
def export(request: HttpRequest) -> HttpResponse:
    """An audited CSV of counts by day, tag and organisation for one report's filter; never rows."""
    actor = signed_in_user(request)
    if refused := refusal(request, actor=actor, action=Permission.AuditReportView):
        return refused
    report = request.GET.get("report", "activity")
    if report not in REPORTS:
        report = "activity"
    # A summary of everything in the reader's scope reads a bounded period, however the filter was written.
    scope_wide = report in SCOPE_WIDE_REPORTS
    filters = ReportFilterForm(request.GET or None, max_days=MAX_SCOPE_WIDE_DAYS if scope_wide else None)
    period = filters.bounded_period(DEFAULT_SUMMARY_DAYS) if scope_wide else filters.period()
    selected = _export_events(request, actor, report, period)
    if isinstance(selected, HttpResponse):
        return selected
    events, ids = selected
    child_id = ids.pop("child_id", None)
    audited = {"report": report, **_period_record(period), **ids}
    try:
        content, lines = _summary_csv(events)
    except SummaryTooLarge as too_large:
        event_record(
            tag=AuditTag.ReportExported,
            actor=actor,
            child_id=child_id,
            additional={**audited, "refused": "too_many_lines", "most_lines": too_large.most},
        )
        subject = (
            {"user": ids["subject_id"]} if "subject_id" in ids else {"child": child_id} if child_id else {}
        )
        context = {"most_lines": too_large.most, "filters": filters, "export": {"report": report, **subject}}
        return render(request, "reports/export_too_large.html", context, status=400)
    event_record(
        tag=AuditTag.ReportExported, actor=actor, child_id=child_id, additional={**audited, "rows": lines}
    )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contactpoint-audit-summary-{report}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _summary_csv(events: QuerySet[AuditEvent]) -> tuple[str, int]:
    """The summary as CSV text and its number of lines, written as `event_summary` reads it (never held
    whole as rows); `SummaryTooLarge` before anything is sent."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "event", "tag", "organisation", "count"])
    lines = 0
    for row in event_summary(events=events):
        writer.writerow(
            [
                row.day.isoformat(),
                csv_cell(tag_label(row.tag)),
                csv_cell(row.tag),
                csv_cell(row.organisation),
                row.count,
            ]
        )
        lines += 1
    return out.getvalue(), lines


def _sar_allowed(request: HttpRequest, child_id: UUID) -> tuple[User, Child] | HttpResponse:
    """The producer and the child, or the answer instead: the role is judged before the id is looked up
    (a refusal by role is the same for any id, existing or not), then the child, then step-up."""
    actor = signed_in_user(request)
    child = _child(request, actor, child_id, Permission.SubjectAccessProduce)
    if stale := step_up(request):
        return stale
    return actor, child


def _screen_copy(report: SubjectAccessReport) -> SubjectAccessReport:
    """The LA team's page copy of `report`: each value as the page shows it, and nothing it does not.

    The report's own rows are the disclosure copy (PDF), which holds the child's source identifiers,
    among them ones the page shows only to staff of the issuing body ("In the disclosure copy (PDF)
    only"); handed whole to the template, only the template would keep them off the page. The PDF
    download builds its own report and is untouched."""
    return replace(
        report,
        held=[HeldSection(section.heading, section.on_screen) for section in report.held],
        corrections=[
            replace(c, why_rejected=c.why_rejected_on_screen, screen_why_rejected=None)
            for c in report.corrections
        ],
        complaints=[
            replace(
                c,
                summary=c.summary_on_screen,
                outcome_detail=c.outcome_detail_on_screen,
                screen_summary=None,
                screen_outcome_detail=None,
            )
            for c in report.complaints
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
@gone_if_merged_away  # the whole record is decrypted after it is loaded: a merge between is not found
def subject_access(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """The request form; a valid POST produces the report page (the LA team's working copy)."""
    allowed = _sar_allowed(request, child_id)
    if isinstance(allowed, HttpResponse):
        return allowed
    actor, child = allowed
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = subject_access_report(
            child=child,
            produced_by=actor,
            reference=form.cleaned_data["reference"],
            withhold_covert=form.cleaned_data["withhold_covert"],
        )
        subject_access_record(child=child, by=actor, report=report, output="html")
        if ended := signed_out_if_suspended(request, actor=actor, action=Permission.SubjectAccessProduce):
            return ended  # the viewing rules suspended the producer: nothing is shown
        response = render(
            request,
            "reports/subject_access_report.html",
            {"child": child, "report": _screen_copy(report), "form": form},
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "reports/subject_access.html", {"child": child, "form": form})


@login_required
@require_POST
@gone_if_merged_away  # as `subject_access`
def subject_access_download(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """The disclosure copy as PDF, from the same form fields, audited on its own."""
    allowed = _sar_allowed(request, child_id)
    if isinstance(allowed, HttpResponse):
        return allowed
    actor, child = allowed
    form = SubjectAccessForm(request.POST)
    if not form.is_valid():
        return redirect("audit:subject_access", child_id=child.pk)
    report = subject_access_report(
        child=child,
        produced_by=actor,
        reference=form.cleaned_data["reference"],
        withhold_covert=form.cleaned_data["withhold_covert"],
    )
    subject_access_record(child=child, by=actor, report=report, output="pdf")
    if ended := signed_out_if_suspended(request, actor=actor, action=Permission.SubjectAccessProduce):
        return ended
    response = HttpResponse(subject_access_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{child.index_number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
