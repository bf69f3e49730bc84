"""The four periods offered (the last 3, 6, 12 and 24 months) are four tables of the same months, read on
the same day by the same person. Each was suppressed on its own, so a month one period withheld (not
small itself, hidden to keep a small month from being worked out from the period's total) another period
showed: the 3 months' total less that month, read from the 6 months' table, gave a small month back.

The reader below puts every published figure of every period together: each shown figure is the true
count rounded to 5 (and at least 10), "Fewer than 10" is 0 to 9, a "Withheld" figure is 10 or more and a
"Withheld" total any count (every hidden total is "Withheld", small ones too), and every published total
is a sum of the figures it totals. It narrows each count by those sums until nothing
changes, and a small count it pins between 1 and 9 is a count given back.
"""

import math
from datetime import date
from fractions import Fraction
from itertools import pairwise

from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from audit.tags import AuditTag
from coordination.statistics import ROUND_TO, SUPPRESSED, THRESHOLD, WITHHELD, Cell, SuppressedTable
from coordination.tests.linear_algebra import rank
from insight.figures import PERIOD_CHOICES, period_last, period_suppress
from insight.tests.support import csv_rows, events, month_ago
from tests.journeys import signed_in
from tests.personas import make_child

HALF = ROUND_TO // 2
UNBOUNDED = math.inf  # a finite stand-in let bounds creep down from it one step at a time
TOTAL = "Total"

Interval = tuple[int, float]
Var = tuple[str, str]  # (row, month)


def _interval(figure: str, *, total: bool = False) -> Interval:
    if figure == WITHHELD and total:
        return (0, UNBOUNDED)
    if figure == SUPPRESSED:
        return (0, THRESHOLD - 1)
    if figure == WITHHELD:
        return (THRESHOLD, UNBOUNDED)
    shown = int(figure)
    return (max(shown - HALF, THRESHOLD), shown + HALF)


def _what_a_reader_works_out(periods: list[list[dict[str, str]]], table: str) -> dict[Var, Interval]:
    """Every count of `table` narrowed by every period's published figures and sums together."""
    bounds: dict[Var, Interval] = {}
    sums: list[tuple[list[Var], Interval]] = []
    for rows in periods:
        figures = {(r["row"], r["column"]): r["figure"] for r in rows if r["table"] == table}
        cells = [key for key in figures if TOTAL not in key]
        for var in cells:
            low, high = bounds.get(var, (0, UNBOUNDED))
            new_low, new_high = _interval(figures[var])
            bounds[var] = (max(low, new_low), min(high, new_high))
        for (row, column), figure in figures.items():
            if row == TOTAL and column == TOTAL:
                members = cells
            elif column == TOTAL:
                members = [var for var in cells if var[0] == row]
            elif row == TOTAL:
                members = [var for var in cells if var[1] == column]
            else:
                continue
            sums.append((members, _interval(figure, total=True)))
    changed = True
    while changed:
        changed = False
        for members, (low, high) in sums:
            for var in members:
                others = [bounds[other] for other in members if other != var]
                at_least = low - sum(h for _, h in others)
                at_most = high - sum(lo for lo, _ in others)
                old = bounds[var]
                new = (max(old[0], int(at_least) if at_least > -UNBOUNDED else 0), min(old[1], at_most))
                if new != old:
                    bounds[var], changed = new, True
    return bounds


def _pinned(periods: list[list[dict[str, str]]], table: str) -> dict[Var, Interval]:
    worked_out = _what_a_reader_works_out(periods, table)
    return {var: (low, high) for var, (low, high) in worked_out.items() if low >= 1 and high < THRESHOLD}


def _given_back(periods: list[list[dict[str, str]]], table: str) -> dict[Var, Interval]:
    """The small counts the periods together pin between 1 and 9 that no period alone does (what one
    table alone gives away is the suppression module's own question, not this one's)."""
    alone = {var for period in periods for var in _pinned([period], table)}
    return {var: bounds for var, bounds in _pinned(periods, table).items() if var not in alone}


def _every_period(client, url: str) -> list[list[dict[str, str]]]:
    return [csv_rows(client.get(url, {"months": str(months)}).content) for months in PERIOD_CHOICES]


# Six complete months of openings, oldest first: 20, 20, 5, 9, 10, 10. The last 3 months alone: 9 hidden,
# the next smallest (10, last month) withheld, total 29 shown as 30. The last 6 months: 5 and 9 hide each
# other, so last month's 10 is shown: 30 - 10 - 10 then put the 9 between 4 and 9.
MONTHS = [20, 20, 5, 9, 10, 10]


def test_the_las_periods_together_give_back_no_small_month(world):
    child = make_child(world)
    for back, n in enumerate(reversed(MONTHS), start=1):  # last month back: the current one is not shown
        events(n, tag=AuditTag.RecordViewed, actor=world.alice, child=child, month=month_ago(back))
    periods = _every_period(signed_in(world.lena), reverse("insight:local_csv"))
    assert _given_back(periods, "Access by month") == {}
    assert _pinned(periods, "Access by month") == {}  # nor by any period alone (interval protection)


# Two LAs' complete months, oldest first, with the months' totals as well: South's 5 last month (the current
# month's, when it was shown) was pinned between 4 and 7 by the periods together (a figure one period
# withheld, another showed), by no period alone.
NORTH_MONTHS = [12, 20, 20, 10, 12, 12]
SOUTH_MONTHS = [10, 25, 20, 12, 12, 5]


def test_the_national_periods_together_give_back_no_small_month(world):
    north, south = make_child(world), make_child(world, given_names="Oscar", la=world.south)
    for child, months in ((north, NORTH_MONTHS), (south, SOUTH_MONTHS)):
        for back, n in enumerate(reversed(months), start=1):
            events(n, tag=AuditTag.RecordViewed, actor=world.alice, child=child, month=month_ago(back))
    periods = _every_period(signed_in(world.nadia), reverse("insight:national_csv"))
    table = "Records opened without a search or an involvement, by the child's local authority"
    assert _given_back(periods, table) == {}
    assert _pinned(periods, table) == {}


# ---- the rule itself, on random tables: exact sums over all four periods together ----------------------


def _published_sums(table: SuppressedTable, first: int) -> tuple[list[set[Var]], set[Var]]:
    """Each figure the table publishes as the set of counts (row, month index) it sums, and the counts
    it hides; months are numbered from the oldest of the longest period (`first` is this period's)."""
    n_rows, n_cols = len(table.row_labels), len(table.column_labels)
    sums: list[set[Var]] = []
    hidden: set[Var] = set()
    for i, row in enumerate(table.cells):
        for j, cell in enumerate(row):
            (hidden.add if cell.hidden else lambda var: sums.append({var}))((str(i), str(first + j)))
    for i, cell in enumerate(table.row_totals or []):
        if not cell.hidden:
            sums.append({(str(i), str(first + j)) for j in range(n_cols)})
    for j, cell in enumerate(table.column_totals or []):
        if not cell.hidden:
            sums.append({(str(i), str(first + j)) for i in range(n_rows)})
    if table.grand_total is not None and not table.grand_total.hidden:
        sums.append({(str(i), str(first + j)) for i in range(n_rows) for j in range(n_cols)})
    return sums, hidden


months_of_counts = st.lists(
    st.one_of(st.just(0), st.just(0), st.integers(1, 9), st.integers(10, 14), st.integers(15, 60)),
    min_size=max(PERIOD_CHOICES),
    max_size=max(PERIOD_CHOICES),
)


@settings(max_examples=120, deadline=None)
@given(
    values=st.lists(months_of_counts, min_size=1, max_size=3),
    row_totals=st.booleans(),
    column_totals=st.booleans(),
)
def test_no_hidden_count_is_fixed_by_the_four_periods_sums_together(values, row_totals, column_totals):
    """Published figures taken as exact sums (as the suppression module's own proof does): no count any
    period hides, and no small sum (1 to 9) of the hidden counts on a line of any period (a row, a month,
    or a row's months from one shorter period to the next), is fixed by every period's published figures
    together; and a month is published alike in every period that holds it."""
    today = date(2026, 12, 5)
    longest = max(PERIOD_CHOICES)
    rows = [str(i) for i in range(len(values))]
    sums: list[set[Var]] = []
    hidden: set[Var] = set()
    shown_as: dict[Var, set[str]] = {}
    for months in PERIOD_CHOICES:
        table = period_suppress(
            title="t",
            row_heading="r",
            row_labels=[f"r{i}" for i in range(len(values))],
            period=period_last(months, today=today),
            values=[row[longest - months :] for row in values],
            row_totals=row_totals,
            column_totals=column_totals,
        )
        first = longest - months
        more, hides = _published_sums(table, first)
        sums += more
        hidden |= hides
        for i, row in enumerate(table.cells):
            for j, cell in enumerate(row):
                shown_as.setdefault((str(i), str(first + j)), set()).add(cell.text)
    assert all(len(texts) == 1 for texts in shown_as.values())
    unknowns = sorted(hidden)
    # A sum's shown counts are known: only its hidden part says anything about the hidden counts.
    system = [[Fraction(1 if var in s else 0) for var in unknowns] for s in sums if s & hidden]
    base = rank(system)

    def fixed(part: set[Var]) -> bool:
        return rank([*system, [Fraction(1 if var in part else 0) for var in unknowns]]) == base

    assert [var for var in unknowns if fixed({var})] == []
    starts = [longest - months for months in sorted(PERIOD_CHOICES, reverse=True)] + [longest]
    lines = [{(row, str(j)) for j in range(a, b)} for row in rows for a, b in pairwise(starts)]
    lines += [{(row, str(j)) for j in range(a, longest)} for row in rows for a in starts[:-1]]
    lines += [{(row, str(j)) for row in rows} for j in range(longest)]
    for line in lines:
        part = line & hidden
        small = 0 < sum(values[int(row)][int(j)] for row, j in part) < THRESHOLD
        assert not (part and small and fixed(part)), sorted(part)


def _as_rows(table: SuppressedTable) -> list[dict[str, str]]:
    """The table as the CSV gives it: one row per figure, totals under "Total"."""
    rows = []
    totals: list[Cell | None] = (
        list(table.row_totals) if table.row_totals is not None else [None] * len(table.cells)
    )
    for label, cells, total in zip(table.row_labels, table.cells, totals, strict=True):
        rows += [
            {"table": "t", "row": label, "column": c, "figure": cell.text}
            for c, cell in zip(table.column_labels, cells, strict=True)
        ]
        if total is not None:
            rows.append({"table": "t", "row": label, "column": TOTAL, "figure": total.text})
    for c, cell in zip(table.column_labels, table.column_totals or [], strict=False):
        rows.append({"table": "t", "row": TOTAL, "column": c, "figure": cell.text})
    if table.grand_total is not None:
        rows.append({"table": "t", "row": TOTAL, "column": TOTAL, "figure": table.grand_total.text})
    return rows


# Each ring protected on its own, the periods' totals across rings still narrowed a month here.
ACROSS_RINGS = [
    [54, 52, 13, 0, 0, 9, 10, 0, 13, 4, 6, 2, 0, 0, 0, 40, 0, 0, 14, 1, 13, 13, 13, 10],
    [6, 0, 55, 13, 0, 2, 14, 42, 6, 0, 35, 0, 0, 7, 10, 0, 50, 50, 0, 8, 0, 13, 0, 0],
    [4, 0, 2, 0, 32, 12, 58, 7, 12, 0, 0, 9, 55, 0, 10, 22, 6, 0, 0, 13, 9, 3, 0, 6],
]


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(months_of_counts, min_size=1, max_size=3),
    row_totals=st.booleans(),
    column_totals=st.booleans(),
)
@example(values=ACROSS_RINGS, row_totals=True, column_totals=False)
def test_no_hidden_small_month_is_narrowed_by_the_four_periods_read_together(
    values, row_totals, column_totals
):
    """The reader above, on every period's figures together: each hidden month under 10 stays anything
    from 0 to 9 (not proved above 0, nor below 9), though a period's totals span its rings."""
    today = date(2026, 12, 5)
    longest = max(PERIOD_CHOICES)
    labels = period_last(longest, today=today).labels
    periods = [
        _as_rows(
            period_suppress(
                title="t",
                row_heading="r",
                row_labels=[f"r{i}" for i in range(len(values))],
                period=period_last(months, today=today),
                values=[row[longest - months :] for row in values],
                row_totals=row_totals,
                column_totals=column_totals,
            )
        )
        for months in PERIOD_CHOICES
    ]
    worked_out = _what_a_reader_works_out(periods, "t")
    figures = {(r["row"], r["column"]): r["figure"] for rows in periods for r in rows}
    narrowed = {
        (row, month): worked_out[(row, month)]
        for (row, month), figure in figures.items()
        if TOTAL not in (row, month) and figure in (SUPPRESSED, WITHHELD)
        if values[int(row[1:])][labels.index(month)] < THRESHOLD
        if worked_out[(row, month)][0] > 0 or worked_out[(row, month)][1] < THRESHOLD - 1
    }
    assert narrowed == {}
