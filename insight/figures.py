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
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement, RecordStatus
from coordination.statistics import WITHHELD, Cell, SuppressedTable, table_suppress
from oversight.misuse import unexplained
from oversight.models import Alert, AlertKind

PERIOD_CHOICES = (3, 6, 12, 24)
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Period:
    """Whole calendar months, local time, ending with the current one (so far)."""

    months: list[date]  # the first day of each month, oldest first
    start: datetime  # the first month's first moment
    end: datetime  # the first moment after the last month

    @property
    def labels(self) -> list[str]:
        return [month.strftime("%b %Y") for month in self.months]


def _month_add(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_last(months: int, *, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    current = today.replace(day=1)
    first = _month_add(current, -(months - 1))
    return Period(
        months=[_month_add(first, n) for n in range(months)],
        start=_local_start(first),
        end=_local_start(_month_add(current, 1)),
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


def _by_child_la_and_month(
    events: QuerySet[AuditEvent], period: Period, la_ids: list[int]
) -> list[list[int]]:
    """One GROUP BY (the LA of the child an event is about, month), the child's record joined.

    `child_id` is no foreign key (the log outlives purged records: their events count for no LA), so
    the ORM can only look the LA up with a subquery per event, which PostgreSQL ran one index lookup a
    row after its parallel workers: about 1.9 s of the page for 350,000 views (docs/BENCHMARKS.md,
    session 22). The events' query stays Django's own (`sql_with_params`), wrapped in a join.
    """
    counted = (
        events.filter(occurred_at__gte=period.start, occurred_at__lt=period.end)
        .order_by()
        .annotate(month=TruncMonth("occurred_at"))
        .values("child_id", "month")
    )
    inner, params = counted.query.sql_with_params()
    child_table = connection.ops.quote_name(Child._meta.db_table)
    with connection.cursor() as cursor:
        # Only Django's compiled query and the table's quoted name are spliced in; values stay parameters.
        joined = (
            f"SELECT c.local_authority_id, e.month, COUNT(*) FROM ({inner}) e"  # noqa: S608
            f" JOIN {child_table} c ON c.id = e.child_id GROUP BY c.local_authority_id, e.month"
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


def local_records(la_id: int, period: Period) -> SuppressedTable:
    """Records and involvements by month: different measures, so a total per row (the period), none per month."""
    children = _children_of(la_id)
    values = [
        _by_month(Child.objects.filter(local_authority_id=la_id), "created_at", period),
        _by_month(Involvement.objects.filter(child__local_authority_id=la_id), "created_at", period),
        _by_month(_events(AuditTag.InvolvementCeased).filter(child_id__in=children), "occurred_at", period),
        _by_month(_events(AuditTag.LeadProfessionalSet).filter(child_id__in=children), "occurred_at", period),
        _by_month(
            _events(AuditTag.CafFlagSet).filter(child_id__in=children, additional__completed=True),
            "occurred_at",
            period,
        ),
    ]
    return table_suppress(
        title="Records and involvements by month",
        row_heading="Measure",
        row_labels=[
            "Children's records added",
            "Involvements recorded",
            "Involvements ended",
            "Lead professionals recorded",
            "Common Assessments (CAF) recorded as completed",
        ],
        column_labels=period.labels,
        values=values,
        row_totals=True,
        column_totals=False,
    )


def local_alerts(la_id: int, period: Period) -> SuppressedTable:
    """Alerts raised for the LA team, by kind and month: kinds add up, so both totals."""
    alerts = Alert.objects.filter(local_authority_id=la_id)
    counted = (
        alerts.filter(raised_at__gte=period.start, raised_at__lt=period.end)
        .order_by()
        .annotate(month=TruncMonth("raised_at"))
        .values("kind", "month")
        .annotate(n=Count("pk"))
    )
    found = {(row["kind"], _month_key(row["month"])): row["n"] for row in counted}
    kinds = list(AlertKind)
    return table_suppress(
        title="Alerts by kind and month",
        row_heading="Kind of alert",
        row_labels=[kind.label for kind in kinds],
        column_labels=period.labels,
        values=[[found.get((kind.value, month), 0) for month in period.months] for kind in kinds],
    )


# The one figure the LA page counts in two tables: each emergency opening of a shielded record writes
# its audit event (this row of the access table) and raises an alert to the child's LA team (the
# alerts table's row for that kind).
ACCESS_OVERRIDES = "Your shielded records opened in an emergency"


def local_access(la_id: int, period: Period) -> SuppressedTable:
    """Access volumes by month: searches by the LA's people, openings of the LA's children's records."""
    children = _children_of(la_id)
    values = [
        _by_month(
            _events(AuditTag.SearchPerformed).filter(organisation_id__in=la_organisation_ids(la_id)),
            "occurred_at",
            period,
        ),
        _by_month(_events(AuditTag.RecordViewed).filter(child_id__in=children), "occurred_at", period),
        _by_month(_events(AuditTag.ShieldOverridden).filter(child_id__in=children), "occurred_at", period),
    ]
    return table_suppress(
        title="Access by month",
        row_heading="Measure",
        row_labels=[
            "Searches by people in your local authority",
            "Your children's records opened",
            ACCESS_OVERRIDES,
        ],
        column_labels=period.labels,
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
    return table_suppress(
        title=title,
        row_heading="Local authority",
        row_labels=[la.name for la in las],
        column_labels=period.labels,
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
