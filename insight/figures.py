"""The counts behind management information, and the suppressed tables they become.

Every count is one aggregate query (GROUP BY month, or by LA and month) over the audit ledger or a
domain table: nothing is decrypted, no child is loaded, and the same SQL runs on SQLite and PostgreSQL
(`TruncMonth` in the current time zone; "the child's LA" joined to the events' own query, "the
person's LA" read from the organisations after grouping by the organisation acted for).
What leaves this module is a `SuppressedTable`: rounded figures or the reason one is hidden, never a
true small count, never a name of anyone but a local authority.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from itertools import pairwise

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
    THRESHOLD,
    WITHHELD,
    Bounds,
    Cell,
    Key,
    SuppressedTable,
    Vertex,
    bridges,
    entry_ends,
    narrow,
    reader_bounds,
    rounded,
    table_entries,
    table_suppress,
)
from oversight.misuse import CHILD_LA, unexplained
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


def _rings(n_months: int) -> list[range]:
    """The period's months (oldest first) cut where each shorter period offered begins: for 12 months,
    the 6 oldest, the next 3, the last 3."""
    cuts = sorted({n_months - shorter for shorter in PERIOD_CHOICES if shorter < n_months} | {0, n_months})
    return [range(start, stop) for start, stop in pairwise(cuts)]


@dataclass
class _Ring:
    """One ring of a table, suppressed as a table of its own, and the totals of 0 it has given back."""

    table: SuppressedTable
    true: dict[Key, int]  # every entry's true count
    hidden: set[Key]
    ends: dict[Key, tuple[Vertex, Vertex]]
    given_back: set[Key] = field(default_factory=set)
    fixed: set[Key] | None = None  # the hidden figures the ring's published sums fix, once worked out

    def safe_to_give_back(self, keys: list[Key]) -> bool:
        """Whether publishing `keys` (totals of 0) too fixes no hidden figure the ring's sums did not fix,
        but a total of 0 (a line all of whose figures are 0: what a total of 0 given back says already).

        Only a ring with nothing published at all has figures fixed already: zeros, by sums of nothing.
        """
        before = self.hidden - self.given_back
        if self.fixed is None:
            self.fixed = set(bridges({key: self.ends[key] for key in before}))
        newly = set(bridges({key: self.ends[key] for key in before - set(keys)})) - self.fixed
        return all(self.is_total(key) and self.true[key] == 0 for key in newly)

    def is_total(self, key: Key) -> bool:
        return key[0] >= len(self.table.row_labels) or key[1] >= len(self.table.column_labels)

    def give_back(self, keys: list[Key]) -> None:
        self.given_back |= set(keys)
        self.fixed = None


def _ring_suppress(values: list[list[int]], ring: range, *, row_totals: bool, column_totals: bool) -> _Ring:
    counts = [[row[j] for j in ring] for row in values]
    table = table_suppress(
        title="",
        row_heading="",
        row_labels=[str(i) for i in range(len(values))],
        column_labels=[str(j) for j in ring],
        values=counts,
        row_totals=row_totals,
        column_totals=column_totals,
    )
    n_rows, n_cols = len(values), len(ring)
    shown: dict[Key, Cell] = {(i, j): cell for i, row in enumerate(table.cells) for j, cell in enumerate(row)}
    shown |= {(i, n_cols): cell for i, cell in enumerate(table.row_totals or [])}
    shown |= {(n_rows, j): cell for j, cell in enumerate(table.column_totals or [])}
    if table.grand_total is not None:
        shown[(n_rows, n_cols)] = table.grand_total
    ends = {
        key: entry_ends(key, n_rows=n_rows, n_cols=n_cols, row_totals=row_totals, column_totals=column_totals)
        for key in shown
    }
    true = table_entries(counts, row_totals=row_totals, column_totals=column_totals)
    return _Ring(table, true, {key for key, cell in shown.items() if cell.hidden}, ends)


def _zero_totals_give_back(ring: _Ring) -> None:
    """Give back the ring's hidden row totals (and grand total) of 0 that fix nothing more, the ones a
    period's total adds up: all at once where that is safe (a ring where nothing happened), else one by one."""
    n_cols = len(ring.table.column_labels)  # a row's total (or the grand total) is in this column
    zeros = [key for key in sorted(ring.hidden) if key[1] == n_cols and ring.true[key] == 0]
    if ring.safe_to_give_back(zeros):
        ring.give_back(zeros)
        return
    for key in zeros:
        if ring.safe_to_give_back([key]):
            ring.give_back([key])


def _whole(true: int, rings: list[_Ring], keys: list[Key]) -> Cell:
    """A period's total, the sum of one line's totals in its rings: published only where each ring's total
    is, or is 0 and given back (it says the line's months there are all 0, and leaves no hidden figure of
    the ring fixed by its sums), as it would otherwise give a hidden ring total back. A hidden total is
    "Withheld" whatever its size (`coordination.statistics.reader_bounds`)."""
    if true < THRESHOLD:
        return Cell(None, WITHHELD)
    if any(key in ring.hidden and key not in ring.given_back for ring, key in zip(rings, keys, strict=True)):
        return Cell(None, WITHHELD)
    return Cell(rounded(true))


Entry = tuple[
    str, int, int
]  # ("cell", row, month), ("month", month total), ("row", period, row), ("all", period)


def _period_totals(
    values: list[list[int]], rings: list[range], parts: list[_Ring], *, row_totals: bool, column_totals: bool
) -> tuple[list[Cell] | None, Cell | None]:
    """Each row's total and the grand total of the period, published only where they, with every shorter
    period's totals (read the same day), leave each hidden small count anything from 0 to 9 to a reader
    who knows what the page says each figure means (`coordination.statistics.reader_bounds`).

    Each ring's own suppression protects the ring as if its row totals were published; a period publishes
    sums across rings instead (the last ring's totals, then the last two rings', and so on), whose
    rounding differs. So each period's totals are checked, shortest period first, over every month's
    figures and the totals of the shorter periods too, and a period's total is withheld until no hidden
    small count is narrowed: that of a narrowed count's row first, else the grand total, else the
    smallest shown. Shorter periods are decided first and alike in every longer period, so all four
    periods together are what the longest one was checked against."""
    n_rows = len(values)
    both = row_totals and column_totals
    bounds: dict[Entry, Bounds] = {}
    truth: dict[Entry, int] = {}
    sums: list[tuple[list[Entry], Entry]] = []
    rows: list[Cell] | None = None
    grand: Cell | None = None
    months: list[int] = []
    for s in range(1, len(rings) + 1):
        ring, part = rings[-s], parts[-s]
        months = [*ring, *months]
        for jj, m in enumerate(ring):
            for i in range(n_rows):
                bounds[("cell", i, m)] = reader_bounds(part.table.cells[i][jj], total=False)
                truth[("cell", i, m)] = values[i][m]
            if column_totals:
                bounds[("month", m, 0)] = reader_bounds((part.table.column_totals or [])[jj], total=True)
                truth[("month", m, 0)] = sum(values[i][m] for i in range(n_rows))
                sums.append(([("cell", i, m) for i in range(n_rows)], ("month", m, 0)))
        in_it, ends = parts[-s:], [(i, len(r)) for r in rings[-s:]]
        rows = (
            [
                _whole(sum(values[i][m] for m in months), in_it, [(i, n) for _, n in ends])
                for i in range(n_rows)
            ]
            if row_totals
            else None
        )
        grand = (
            _whole(
                sum(values[i][m] for i in range(n_rows) for m in months),
                in_it,
                [(n_rows, n) for _, n in ends],
            )
            if both
            else None
        )
        these: list[tuple[list[Entry], Entry]] = []
        if rows is not None:
            these += [([("cell", i, m) for m in months], ("row", s, i)) for i in range(n_rows)]
            truth |= {("row", s, i): sum(values[i][m] for m in months) for i in range(n_rows)}
        if grand is not None:
            these += [([("month", m, 0) for m in months], ("all", s, 0))]
            these += [([("row", s, i) for i in range(n_rows)], ("all", s, 0))]
            truth[("all", s, 0)] = sum(truth[("row", s, i)] for i in range(n_rows))
        while True:
            if rows is not None:
                bounds |= {("row", s, i): reader_bounds(cell, total=True) for i, cell in enumerate(rows)}
            if grand is not None:
                bounds[("all", s, 0)] = reader_bounds(grand, total=True)
            worked_out = narrow(bounds, [*sums, *these])
            narrowed = [
                key
                for key, (low, high) in worked_out.items()
                if truth[key] < THRESHOLD and (low > 0 or high < THRESHOLD - 1)
            ]
            shown_rows = {i for i, cell in enumerate(rows or []) if not cell.hidden}
            withhold = {key[1] for key in narrowed if key[0] in ("cell", "row") and key[1] in shown_rows}
            if not narrowed:
                break
            if rows is not None and withhold:
                rows = [Cell(None, WITHHELD) if i in withhold else cell for i, cell in enumerate(rows)]
            elif grand is not None and not grand.hidden:
                grand = Cell(None, WITHHELD)
            elif rows is not None and shown_rows:
                smallest = min(shown_rows, key=lambda i: (truth[("row", s, i)], i))
                rows = [Cell(None, WITHHELD) if i == smallest else cell for i, cell in enumerate(rows)]
            else:
                break  # nothing of this period's own is left to withhold: its rings' own suppression stands
        sums += these
    return rows, grand


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
    """A table of months suppressed so that the four periods offered, read together, give nothing back.

    Each period used to be suppressed on its own, so a month the last 3 months withheld (to keep a small
    month from being worked out from their total) the last 6 months showed, and the 3 months' total less
    that month gave the small one back. Every period is made of whole "rings" (the last 3 months, the 3
    before, the 6 before those, the 12 before those): each ring is suppressed as a table of its own (the
    months' totals belong to one ring each), the same in every period that holds it, and a period's
    total is published only where every ring's total in it is (it is then their sum, and tells nothing
    they do not). So all four periods together publish what the rings publish, and no sum spans two rings.
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
    rings = _rings(len(period.months))
    parts = [
        _ring_suppress(values, ring, row_totals=row_totals, column_totals=column_totals) for ring in rings
    ]
    for part in parts:
        _zero_totals_give_back(part)
    n_rows = len(row_labels)
    totals, grand = _period_totals(values, rings, parts, row_totals=row_totals, column_totals=column_totals)
    return SuppressedTable(
        title=title,
        row_heading=row_heading,
        row_labels=list(row_labels),
        column_labels=period.labels,
        cells=[[cell for part in parts for cell in part.table.cells[i]] for i in range(n_rows)],
        row_totals=totals,
        column_totals=(
            [cell for part in parts for cell in part.table.column_totals or []] if column_totals else None
        ),
        grand_total=grand,
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
