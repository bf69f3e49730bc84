"""The counts behind management information, and the suppressed tables they become.

Every count is one aggregate query (GROUP BY month, or by LA and month) over the audit ledger or a
domain table: nothing is decrypted, no child is loaded, and the same SQL runs on SQLite and PostgreSQL
(`TruncMonth` in the current time zone; "the child's LA" joined to the events' own query, "the
person's LA" read from the organisations after grouping by the organisation acted for).
What leaves this module is a `SuppressedTable`: rounded figures or the reason one is hidden, never a
true small count, never a name of anyone but a local authority.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from django.db import connection
from django.db.models import Count, F, IntegerField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement, RecordStatus
from coordination.statistics import (
    SUPPRESSED,
    THRESHOLD,
    UNBOUNDED,
    WITHHELD,
    Bounds,
    Cell,
    SuppressedTable,
    narrow,
    rounded,
    table_suppress,
)
from oversight.misuse import CHILD_LA, unexplained
from oversight.models import Alert, AlertKind

PERIOD_CHOICES = (3, 6, 12, 24)
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Period:
    """Whole calendar months, local time: the last complete ones, ending with the month before the current
    one. The month in progress is in no period until it is over (see `period_last`)."""

    months: list[date]  # the first day of each month, oldest first
    start: datetime  # the first month's first moment
    end: datetime  # the first moment after the last month (the current month's first)

    @property
    def labels(self) -> list[str]:
        return [month.strftime("%b %Y") for month in self.months]

    @property
    def described(self) -> str:
        """Which months, in words: "March 2026 to November 2026"."""
        return f"{self.months[0]:%B %Y} to {self.months[-1]:%B %Y}"


def _month_add(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_last(months: int, *, today: date | None = None) -> Period:
    """The last `months` complete calendar months before `today`'s.

    The current month is left out until it ends: its counts only grow (the audit ledger is
    append-only), so a reader comparing two days' readings knows each count on the first day is at most
    the same count on the second. Each day's growing month suppressed on its own then narrowed a small
    count (a figure withheld on 30 June, the finished June shown on 1 July; or two days of one month).
    A complete month's counts change only where records it counts change later (a child's record
    transferred or purged)."""
    today = today or timezone.localdate()
    current = today.replace(day=1)
    first = _month_add(current, -months)
    return Period(
        months=[_month_add(first, n) for n in range(months)],
        start=_local_start(first),
        end=_local_start(current),
    )


def _month_key(value: datetime | date) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _by_month(rows: QuerySet, field: str, period: Period) -> list[int]:
    """One GROUP BY month: the counts for each month of the period, in order (missing months 0)."""
    counted = (
        rows.filter(**{f"{field}__gte": period.start, f"{field}__lt": period.end})
        .order_by()
        .annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count("pk"))
    )
    found = {_month_key(row["month"]): row["n"] for row in counted}
    return [found.get(month, 0) for month in period.months]


def _by_la_and_month(
    rows: QuerySet, field: str, la_field: str, period: Period, la_ids: list[int]
) -> list[list[int]]:
    """One GROUP BY (LA, month): a row of monthly counts per LA in `la_ids` (others left out)."""
    counted = (
        rows.filter(**{f"{field}__gte": period.start, f"{field}__lt": period.end})
        .order_by()
        .annotate(month=TruncMonth(field))
        .values(la_field, "month")
        .annotate(n=Count("pk"))
    )
    found = {(row[la_field], _month_key(row["month"])): row["n"] for row in counted}
    return [[found.get((la, month), 0) for month in period.months] for la in la_ids]


def _children_of(la_id: int) -> QuerySet:
    return Child.objects.filter(local_authority_id=la_id).values("pk")


def la_organisation_ids(la_id: int) -> QuerySet:
    """The LA itself and every organisation in it (whose staff act for it)."""
    return Organisation.objects.filter(Q(pk=la_id) | Q(local_authority_id=la_id)).values("pk")


def _events(tag: AuditTag) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(tag=tag)


def _month_of(value: datetime | date | str) -> date:
    """A month as a raw cursor gives `TruncMonth` back: a local datetime (PostgreSQL) or its text
    (SQLite's function), the first moment of the month either way."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return (value.date() if isinstance(value, datetime) else value).replace(day=1)


def _opened_in(tag: AuditTag, la_id: int) -> QuerySet[AuditEvent]:
    """The openings of a child held by the LA when opened (`CHILD_LA`, recorded since session 36); an event
    written before that records no LA and counts under the child's LA today, as every one did."""
    recorded = Q(**{f"additional__{CHILD_LA}": la_id})
    unrecorded = ~Q(additional__has_key=CHILD_LA) & Q(child_id__in=_children_of(la_id))
    return _events(tag).filter(recorded | unrecorded)


def _by_child_la_and_month(
    events: QuerySet[AuditEvent], period: Period, la_ids: list[int]
) -> list[list[int]]:
    """One GROUP BY (the LA of the child an event is about, month): the LA the event recorded holding
    the child then (`CHILD_LA`), else the child's LA today from its record, joined.

    `child_id` is no foreign key (the log outlives purged records: their events count for no LA unless
    they recorded one), so the ORM can only look the LA up with a subquery per event, which PostgreSQL
    ran one index lookup a row after its parallel workers: about 1.9 s of the page for 350,000 views
    (docs/BENCHMARKS.md, session 22). The events' query stays Django's own (`sql_with_params`), wrapped in
    a join.
    """
    counted = (
        events.filter(occurred_at__gte=period.start, occurred_at__lt=period.end)
        .order_by()
        .annotate(month=TruncMonth("occurred_at"))
        .values("child_id", "month", then_la=Cast(KT(f"additional__{CHILD_LA}"), IntegerField()))
    )
    inner, params = counted.query.sql_with_params()
    child_table = connection.ops.quote_name(Child._meta.db_table)
    with connection.cursor() as cursor:
        # Only Django's compiled query and the table's quoted name are spliced in; values stay parameters.
        joined = (
            f"SELECT COALESCE(e.then_la, c.local_authority_id) AS la, e.month, COUNT(*)"  # noqa: S608
            f" FROM ({inner}) e LEFT JOIN {child_table} c ON c.id = e.child_id GROUP BY la, e.month"
        )
        cursor.execute(joined, params)
        found = {(la, _month_of(month)): n for la, month, n in cursor.fetchall()}
    return [[found.get((la, month), 0) for month in period.months] for la in la_ids]


def _by_actor_la_and_month(
    events: QuerySet[AuditEvent], period: Period, la_ids: list[int]
) -> list[list[int]]:
    """One GROUP BY (organisation acted for, month), then each organisation's LA (an LA is its own)
    from one read of the organisations: a subquery per event cost 0.7 s for 100,000 refusals."""
    home = {
        pk: pk if kind == OrganisationKind.LOCAL_AUTHORITY else la
        for pk, kind, la in Organisation.objects.values_list("pk", "kind", "local_authority_id")
    }
    by_organisation = _by_la_and_month(events, "occurred_at", "organisation_id", period, list(home))
    found: dict[int, list[int]] = {}
    for organisation, counts in zip(home, by_organisation, strict=True):
        la = home[organisation]
        if la is not None:
            found[la] = [a + b for a, b in zip(found.get(la, [0] * len(counts)), counts, strict=True)]
    return [found.get(la, [0] * len(period.months)) for la in la_ids]


def _exactly_known(column: SuppressedTable, counts: list[int]) -> bool:
    """Whether one month's column, its total shown, keeps every hidden count under 10 anything from 0 to 9
    even to a reader who knew every figure it shows exactly (not only to within 2).

    A period's totals are published only as sums of shown figures (`_line_total`), so the most any
    combination of them, from any period read on any day, can tell of a month is its shown figures
    exactly: a month safe against that is safe against every reading together."""
    n = len(counts)
    hidden = {i: row[0].hidden for i, row in enumerate(column.cells) if row[0].hidden}
    total = sum(counts)
    bounds: dict[int, Bounds] = {i: (count, count) for i, count in enumerate(counts)}  # shown: exactly
    bounds |= {
        i: (0, THRESHOLD - 1) if why == SUPPRESSED else (THRESHOLD, UNBOUNDED) for i, why in hidden.items()
    }
    bounds[n] = (total, total)
    worked_out = narrow(bounds, [(list(range(n)), n)])
    return not any(
        counts[i] < THRESHOLD and (worked_out[i][0] > 0 or worked_out[i][1] < THRESHOLD - 1) for i in hidden
    )


def _month_suppress(counts: list[int], label: str, *, column_totals: bool) -> SuppressedTable:
    """One month's figures, suppressed as a table of their own: the same whatever day or period shows them.

    With its total (the month's sum over the rows), the column is suppressed as any table is, and kept
    where that withholds the total or a reader who knew its shown figures exactly could narrow no hidden
    small count (`_exactly_known`). Otherwise the total is "Withheld" too (any count: the column is then
    no sum at all) and each figure is suppressed on its own, no more withheld than the small ones."""

    def column(*, total: bool) -> SuppressedTable:
        return table_suppress(
            title="",
            row_heading="",
            row_labels=[str(i) for i in range(len(counts))],
            column_labels=[label],
            values=[[count] for count in counts],
            row_totals=False,
            column_totals=total,
        )

    if not column_totals:
        return column(total=False)
    summed = column(total=True)
    if (summed.column_totals or [])[0].hidden or _exactly_known(summed, counts):
        return summed  # its total withheld already (no sum), or safe even to a reader who knew the rest
    return replace(column(total=False), column_totals=[Cell(None, WITHHELD)])


def _line_total(true: int, cells: list[Cell]) -> Cell:
    """A period's total of a line (a row's months, or the months' totals): shown only where every figure
    it adds up is shown, so it is a sum of shown figures and hides none; else "Withheld" (any count)."""
    if true < THRESHOLD or any(cell.hidden for cell in cells):
        return Cell(None, WITHHELD)
    return Cell(rounded(true))


def period_suppress(
    *,
    title: str,
    row_heading: str,
    row_labels: list[str],
    period: Period,
    values: list[list[int]],
    row_totals: bool = True,
    column_totals: bool = True,
) -> SuppressedTable:
    """A table of months suppressed so that no reading of any period, on any day, gives a small count back.

    Blocks of months counted back from the current month, each suppressed on its own, moved by a month
    when the month turned: the same finished month was then suppressed another way, and its figures read
    on the last day of one month and the first of the next narrowed a hidden count. A block holding more
    than one month would also change while its last month is still growing. So each calendar month is its
    own block: its figures (and, with column totals, the month's total) are suppressed from that month's
    counts alone (`_month_suppress`), and are the same in every period and on every day that shows them,
    unless the counts themselves change later (a record transferred or purged).
    A period's row totals and grand total are published only where every figure they add up is shown
    (`_line_total`): a sum of shown figures, never of hidden ones, and each month is protected even
    against its shown figures known exactly (`_exactly_known`), so whatever the totals of any periods on
    any days tell of the shown figures gives no hidden count back. Only complete months are given
    (`period_last`): a month still growing, suppressed afresh each day, was narrowed by two days'
    readings (each count at most the next day's), so none is published until it is over.
    """
    if len(values) != len(row_labels) or any(len(row) != len(period.months) for row in values):
        raise ValueError("one label for every row and a count for every month")
    if not values:  # no row (no LA yet, on a new installation): nothing to give back, only totals of 0
        return table_suppress(
            title=title,
            row_heading=row_heading,
            row_labels=[],
            column_labels=period.labels,
            values=[],
            row_totals=row_totals,
            column_totals=column_totals,
        )
    months = [
        _month_suppress([row[j] for row in values], label, column_totals=column_totals)
        for j, label in enumerate(period.labels)
    ]
    cells = [[month.cells[i][0] for month in months] for i in range(len(values))]
    month_totals = [(month.column_totals or [])[0] for month in months] if column_totals else None
    return SuppressedTable(
        title=title,
        row_heading=row_heading,
        row_labels=list(row_labels),
        column_labels=period.labels,
        cells=cells,
        row_totals=[_line_total(sum(row), shown) for row, shown in zip(values, cells, strict=True)]
        if row_totals
        else None,
        column_totals=month_totals,
        grand_total=_line_total(sum(map(sum, values)), month_totals or [])
        if row_totals and month_totals is not None
        else None,
    )


# ---- one local authority -------------------------------------------------------------------------------


def local_today(la_id: int) -> SuppressedTable:
    """Figures today, each on its own (no totals: they are not parts of one whole)."""
    active = Child.objects.filter(local_authority_id=la_id, status=RecordStatus.ACTIVE)
    values = [
        [active.count()],
        [active.filter(shielded=True).count()],
        [Involvement.objects.filter(child__in=active, ceased=False).count()],
    ]
    return table_suppress(
        title="Today",
        row_heading="Measure",
        row_labels=["Children on the index", "Shielded records", "Active involvements"],
        column_labels=["Today"],
        values=values,
        row_totals=False,
        column_totals=False,
    )


# An entry saying the answer did not change (the same saved again). `exclude(additional__changed=False)`
# alone would also drop entries written before they said (a missing key compares as NULL).
_SAVED_AGAIN = Q(additional__has_key="changed") & Q(additional__changed=False)


def local_records(la_id: int, period: Period) -> SuppressedTable:
    """Records and involvements by month: different measures, so a total per row (the period), none per month."""
    children = _children_of(la_id)
    values = [
        _by_month(Child.objects.filter(local_authority_id=la_id), "created_at", period),
        _by_month(Involvement.objects.filter(child__local_authority_id=la_id), "created_at", period),
        _by_month(_events(AuditTag.InvolvementCeased).filter(child_id__in=children), "occurred_at", period),
        _by_month(
            # A naming only: clearing the lead professional writes the same entry with no involvement,
            # and naming the one already named again changes nothing (`changed`, absent before session 30).
            _events(AuditTag.LeadProfessionalSet)
            .filter(child_id__in=children, additional__has_key="involvement_id")
            .exclude(additional__involvement_id=None)
            .exclude(_SAVED_AGAIN),
            "occurred_at",
            period,
        ),
        _by_month(
            # "Yes" saved on a record already marked completed changes nothing (`changed`, as above).
            _events(AuditTag.CafFlagSet)
            .filter(child_id__in=children, additional__completed=True)
            .exclude(_SAVED_AGAIN),
            "occurred_at",
            period,
        ),
    ]
    return period_suppress(
        title="Records and involvements by month",
        row_heading="Measure",
        row_labels=[
            "Children's records added",
            "Involvements recorded",
            "Involvements ended",
            "Lead professionals recorded",
            "Common Assessments (CAF) recorded as completed",
        ],
        period=period,
        values=values,
        row_totals=True,
        column_totals=False,
    )


def local_alerts(la_id: int, period: Period) -> SuppressedTable:
    """Alerts raised for the LA team (not the national ones about its members), by kind and month: kinds
    add up, so both totals."""
    alerts = Alert.objects.filter(local_authority_id=la_id, national=False)  # not those about its own members
    counted = (
        alerts.filter(raised_at__gte=period.start, raised_at__lt=period.end)
        .order_by()
        .annotate(month=TruncMonth("raised_at"))
        .values("kind", "month")
        .annotate(n=Count("pk"))
    )
    found = {(row["kind"], _month_key(row["month"])): row["n"] for row in counted}
    kinds = list(AlertKind)
    return period_suppress(
        title="Alerts by kind and month",
        row_heading="Kind of alert",
        row_labels=[kind.label for kind in kinds],
        period=period,
        values=[[found.get((kind.value, month), 0) for month in period.months] for kind in kinds],
    )


# The one figure the LA page counts in two tables: each emergency opening of a shielded record writes
# its audit event (this row of the access table) and raises an alert to the child's LA team (the
# alerts table's row for that kind).
ACCESS_OVERRIDES = "Your shielded records opened in an emergency"


def local_access(la_id: int, period: Period) -> SuppressedTable:
    """Access volumes by month: searches by the LA's people, openings of the records of children it held
    when they were opened."""
    values = [
        _by_month(
            _events(AuditTag.SearchPerformed).filter(organisation_id__in=la_organisation_ids(la_id)),
            "occurred_at",
            period,
        ),
        _by_month(_opened_in(AuditTag.RecordViewed, la_id), "occurred_at", period),
        _by_month(_opened_in(AuditTag.ShieldOverridden, la_id), "occurred_at", period),
    ]
    return period_suppress(
        title="Access by month",
        row_heading="Measure",
        row_labels=[
            "Searches by people in your local authority",
            "Your children's records opened",
            ACCESS_OVERRIDES,
        ],
        period=period,
        values=values,
        row_totals=True,
        column_totals=False,
    )


def _withheld_alike(cell: Cell, other: Cell) -> Cell:
    """This table's figure, withheld where the other table withholds its twin (it is 10 or more)."""
    return Cell(None, WITHHELD) if other.hidden == WITHHELD and not cell.hidden else cell


def hidden_alike(
    first: SuppressedTable, first_row: int, second: SuppressedTable, second_row: int
) -> tuple[SuppressedTable, SuppressedTable]:
    """Two tables that publish the same counts in one row each: a figure either withholds, both withhold.

    Each table is suppressed on its own, so a month (or the period's total) one table withheld to keep a
    small month from being worked out, the other showed; together they gave the small month back (the
    alerts table's total less the access table's shown month). Once both rows hide the same figures,
    the second row publishes nothing the first does not, so the two tables together tell no more than
    each alone. Withholding a further figure is safe for the table it is withheld in: it is 10 or more,
    so no line's hidden figures come to a small sum because of it, and hiding a figure never lets
    another hidden one be worked out. Where the counts are the same, a small one is hidden in both
    already; a figure under 10 in one row and shown in the other is two different counts (an override
    of a child who moved LA since), which each table suppresses as its own.
    """
    rows_a, rows_b = list(first.cells), list(second.cells)
    cells_a, cells_b = first.cells[first_row], second.cells[second_row]
    rows_a[first_row] = [_withheld_alike(a, b) for a, b in zip(cells_a, cells_b, strict=True)]
    rows_b[second_row] = [_withheld_alike(b, a) for a, b in zip(cells_a, cells_b, strict=True)]
    totals_a = list(first.row_totals) if first.row_totals is not None else None
    totals_b = list(second.row_totals) if second.row_totals is not None else None
    if totals_a is not None and totals_b is not None:
        a, b = totals_a[first_row], totals_b[second_row]
        totals_a[first_row], totals_b[second_row] = _withheld_alike(a, b), _withheld_alike(b, a)
    return (
        replace(first, cells=rows_a, row_totals=totals_a),
        replace(second, cells=rows_b, row_totals=totals_b),
    )


def local_tables(la_id: int, period: Period) -> list[SuppressedTable]:
    alerts, access = local_alerts(la_id, period), local_access(la_id, period)
    alerts, access = hidden_alike(
        alerts,
        alerts.row_labels.index(AlertKind.SHIELD_OVERRIDE.label),
        access,
        access.row_labels.index(ACCESS_OVERRIDES),
    )
    return [local_today(la_id), local_records(la_id, period), alerts, access]


# ---- every local authority (the national auditor) ----------------------------------------------------


def local_authorities() -> list[Organisation]:
    return list(Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("name", "pk"))


def _national(
    title: str, counts: list[list[int]], las: Iterable[Organisation], period: Period
) -> SuppressedTable:
    """LAs x months, both totals: LAs add up to England, months to the period."""
    return period_suppress(
        title=title,
        row_heading="Local authority",
        row_labels=[la.name for la in las],
        period=period,
        values=counts,
    )


def national_tables(period: Period) -> list[SuppressedTable]:
    las = local_authorities()
    ids = [la.pk for la in las]
    window = AuditEvent.objects.filter(occurred_at__gte=period.start, occurred_at__lt=period.end)
    alerts = Alert.objects.annotate(la=F("local_authority_id"))
    return [
        _national(
            "Emergency access to shielded records (break-glass), by the child's local authority",
            _by_child_la_and_month(_events(AuditTag.ShieldOverridden), period, ids),
            las,
            period,
        ),
        _national(
            "Alerts raised, by local authority",
            _by_la_and_month(alerts, "raised_at", "la", period, ids),
            las,
            period,
        ),
        _national(
            "Records opened without a search or an involvement, by the child's local authority",
            _by_child_la_and_month(unexplained(window), period, ids),
            las,
            period,
        ),
        _national(
            "Refusals of access, by the local authority of the person refused",
            _by_actor_la_and_month(_events(AuditTag.AccessDenied), period, ids),
            las,
            period,
        ),
    ]
