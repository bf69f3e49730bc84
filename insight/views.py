"""Management information pages: the LA team's own LA, the national auditor's every LA.

Each view asks the policy, builds suppressed tables (insight.figures), records that it was seen, and
renders a chart beside each table or the same figures as CSV. Only counts, LA names and months leave.
"""

import csv
from dataclasses import dataclass
from io import StringIO

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from access.http import require
from access.permissions import Permission
from accounts.http import signed_in_user
from accounts.models import Organisation, User
from audit.services import event_record
from audit.tags import AuditTag
from coordination.statistics import Cell, SuppressedTable
from disclosure.spreadsheet import csv_cell
from insight.charts import bar_chart, legend
from insight.figures import DEFAULT_MONTHS, PERIOD_CHOICES, Period, local_tables, national_tables, period_last


@dataclass(frozen=True)
class Scope:
    """What differs between the LA team's figures and the national auditor's: the rest is one flow."""

    name: str  # as audited: "local_authority" or "national"
    permission: Permission
    template: str
    filename: str  # the CSV's name, before its period
    own_la: bool  # the figures of the actor's own LA (named on the page), or of every LA


LOCAL = Scope(
    "local_authority",
    Permission.LocalInsightView,
    "insight/local.html",
    "contactpoint-management-information",
    own_la=True,
)
NATIONAL = Scope(
    "national",
    Permission.NationalInsightView,
    "insight/national.html",
    "contactpoint-national-management-information",
    own_la=False,
)


def _months(request: HttpRequest) -> int:
    """The period asked for (the last 3, 6, 12 or 24 complete months); anything else is the usual 12."""
    asked = request.GET.get("months", "")
    return next((choice for choice in PERIOD_CHOICES if asked == str(choice)), DEFAULT_MONTHS)


def _record(tag: AuditTag, actor: User, scope: str, months: int) -> None:
    event_record(tag=tag, actor=actor, additional={"scope": scope, "months": months})


def _totals(table: SuppressedTable) -> list[Cell | None]:
    """Each row's total, or None for every row of a table that publishes none."""
    return list(table.row_totals) if table.row_totals is not None else [None] * len(table.cells)


def _shown(tables: list[SuppressedTable], prefix: str) -> list[dict[str, object]]:
    return [
        {
            "table": table,
            "id": f"{prefix}-{n}",
            "chart": bar_chart(table, chart_id=f"{prefix}-{n}-chart"),
            "key": legend(table),
            "rows": list(zip(table.row_labels, table.cells, _totals(table), strict=True)),
        }
        for n, table in enumerate(tables, start=1)
    ]


@dataclass(frozen=True)
class Figures:
    """The suppressed tables asked for, and what the page or the CSV says about them."""

    scope: Scope
    months: int
    period: Period
    tables: list[SuppressedTable]
    la: Organisation | None  # the actor's own LA, for the LA team's figures


def _figures(request: HttpRequest, scope: Scope, tag: AuditTag) -> Figures:
    """Every view's flow: the policy first, then the period asked for, the tables, and the audit event."""
    actor = signed_in_user(request)
    require(actor=actor, action=scope.permission)
    months = _months(request)
    la = _la(actor) if scope.own_la else None
    period = period_last(months)
    tables = local_tables(la.pk, period) if la is not None else national_tables(period)
    _record(tag, actor, scope.name, months)
    return Figures(scope=scope, months=months, period=period, tables=tables, la=la)


def _page(request: HttpRequest, figures: Figures) -> HttpResponse:
    context: dict[str, object] = {
        "shown": _shown(figures.tables, "mi"),
        "months": figures.months,
        "choices": PERIOD_CHOICES,
        "period": figures.period,
    }
    if figures.la is not None:
        context["la"] = figures.la
    return render(request, figures.scope.template, context)


def _la(actor: User) -> Organisation:
    return get_object_or_404(Organisation, pk=actor.home_la_id)


@login_required
@require_GET
def local(request: HttpRequest) -> HttpResponse:
    return _page(request, _figures(request, LOCAL, AuditTag.InsightViewed))


@login_required
@require_GET
def national(request: HttpRequest) -> HttpResponse:
    return _page(request, _figures(request, NATIONAL, AuditTag.InsightViewed))


def _csv(figures: Figures) -> HttpResponse:
    """Long form: one published figure a line, exactly as the page shows it (hidden ones as their reason)."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "row", "column", "figure"])
    for table in figures.tables:
        for label, cells, total in zip(table.row_labels, table.cells, _totals(table), strict=True):
            for column, cell in zip(table.column_labels, cells, strict=True):
                writer.writerow([csv_cell(table.title), csv_cell(label), column, cell.text])
            if total is not None:
                writer.writerow([csv_cell(table.title), csv_cell(label), "Total", total.text])
        for column, cell in zip(table.column_labels, table.column_totals or [], strict=False):
            writer.writerow([csv_cell(table.title), "Total", column, cell.text])
        if table.grand_total is not None:
            writer.writerow([csv_cell(table.title), "Total", "Total", table.grand_total.text])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    first, last = figures.period.months[0], figures.period.months[-1]
    filename = figures.scope.filename
    response["Content-Disposition"] = f'attachment; filename="{filename}-{first:%Y-%m}-to-{last:%Y-%m}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def local_csv(request: HttpRequest) -> HttpResponse:
    return _csv(_figures(request, LOCAL, AuditTag.InsightDownloaded))


@login_required
@require_GET
def national_csv(request: HttpRequest) -> HttpResponse:
    return _csv(_figures(request, NATIONAL, AuditTag.InsightDownloaded))
