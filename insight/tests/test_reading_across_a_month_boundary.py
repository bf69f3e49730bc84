"""Reading the management information on the last day of a month and again on the first of the next
must not give back a small count that either reading alone keeps hidden.

Each period was cut into blocks of months counted back from the current month, each block suppressed
on its own: when the month turned every block moved by a month, so the same finished month was
suppressed another way, a figure "Withheld" on 30 June was shown on 1 July, and the two readings
together narrowed a hidden count (a review's finding: 4 to 9 on the national page, 0 to 6 on an LA's).
Each calendar month is now suppressed from its own counts alone, and a period's totals add up shown
figures only (`insight.figures.period_suppress`).

The reader is `coordination.tests.interval_reader` (written apart from the suppression module), given
every figure of every period read on both days: a month's count is one unknown whichever day and period
shows it, each reading's totals are sums of its own figures.
"""

import math
import random
from collections.abc import Hashable
from datetime import date, datetime

import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.tags import AuditTag
from coordination.statistics import THRESHOLD, Key
from coordination.tests.interval_reader import Bounds, meaning, narrow
from insight.figures import PERIOD_CHOICES, period_last
from insight.tests.support import csv_rows, events, period_tables
from tests.journeys import signed_in
from tests.personas import make_child

Cell = tuple[int, date]  # a count: (row, month)
CHOICES = (0, 0, 1, 3, 5, 8, 9, 10, 12, 15, 20, 40, 100)  # counts like the pages' (many small, some 0)
FIRST = date(2023, 1, 1)


def _month(n: int) -> date:
    index = FIRST.year * 12 + FIRST.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _counts(rng: random.Random, n_rows: int) -> dict[date, list[int]]:
    """Made-up counts for 44 months from January 2023, the same whichever day they are read."""
    return {_month(n): [rng.choice(CHOICES) for _ in range(n_rows)] for n in range(44)}


def _what_both_days_give(
    counts: dict[date, list[int]], days: list[date], *, column_totals: bool
) -> dict[Cell, Bounds]:
    """Every count (row, month) narrowed by every figure of every period read on each of `days`, together."""
    keys: dict[
        Hashable, Key
    ] = {}  # the reader numbers its unknowns: a count, a month's total, a reading's total
    bounds: dict[Key, Bounds] = {}
    sums: list[tuple[list[Key], Key]] = []

    def key(var: Hashable) -> Key:
        return keys.setdefault(var, (len(keys), 0))

    def learn(var: Hashable, found: Bounds) -> None:
        low, high = bounds.get(key(var), (0, math.inf))
        bounds[key(var)] = (max(low, found[0]), min(high, found[1]))

    for day in days:
        for months, table in zip(
            PERIOD_CHOICES, period_tables(counts, day, column_totals=column_totals), strict=True
        ):
            shown = period_last(months, today=day).months
            reading = (day, months)
            rows = range(len(table.cells))
            for i, row in enumerate(table.cells):
                for month, cell in zip(shown, row, strict=True):
                    learn((i, month), meaning(cell.text, total=False))
            for i, cell in enumerate(table.row_totals or []):
                learn(("row", reading, i), meaning(cell.text, total=True))
                sums.append(([key((i, month)) for month in shown], key(("row", reading, i))))
            for month, cell in zip(shown, table.column_totals or [], strict=False):
                learn(("month", month), meaning(cell.text, total=True))
                sums.append(([key((i, month)) for i in rows], key(("month", month))))
            if table.grand_total is not None:
                learn(("all", reading), meaning(table.grand_total.text, total=True))
                sums.append(([key(("row", reading, i)) for i in rows], key(("all", reading))))
    worked_out = narrow(bounds, sums)
    cells = [(i, month) for month, row in counts.items() for i in range(len(row))]
    return {cell: worked_out[keys[cell]] for cell in cells if cell in keys}


def _narrowed(
    counts: dict[date, list[int]], days: list[date], *, column_totals: bool
) -> list[tuple[date, int, int, Bounds]]:
    """The small counts the readings together prove other than anything from 0 to 9, with their bounds."""
    worked_out = _what_both_days_give(counts, days, column_totals=column_totals)
    return [
        (month, i, counts[month][i], (low, high))
        for (i, month), (low, high) in worked_out.items()
        if counts[month][i] < THRESHOLD and (low > 0 or high < THRESHOLD - 1)
    ]


def test_a_small_count_read_on_the_last_day_of_a_month_and_the_first_of_the_next_stays_anything_from_0_to_9():
    """The national page's shape (local authorities by month, both totals), read on 30 June and 1 July."""
    rng = random.Random(1)
    found = [
        bad
        for _ in range(4)
        for bad in _narrowed(_counts(rng, 3), [date(2026, 6, 30), date(2026, 7, 1)], column_totals=True)
    ]
    assert found == [], f"narrowed (month, row, count, bounds): {found}"


def test_an_la_teams_small_month_read_either_side_of_a_month_end_stays_anything_from_0_to_9():
    """The LA page's shape (measures by month, a total per row, none per month), read on 30 June and 1 July
    and on 31 December and 1 January (the end of a quarter and of a year as well)."""
    rng = random.Random(2)
    found = [
        bad
        for days in ([date(2026, 6, 30), date(2026, 7, 1)], [date(2025, 12, 31), date(2026, 1, 1)])
        for _ in range(3)
        for bad in _narrowed(_counts(rng, 5), days, column_totals=False)
    ]
    assert found == [], f"narrowed (month, row, count, bounds): {found}"


def test_a_finished_months_figures_are_the_same_whichever_day_and_period_shows_them():
    """Given the same counts, a month once over is published alike on every later day in every period
    that holds it (so no two readings differ about it)."""
    rng = random.Random(3)
    for column_totals in (True, False):
        counts = _counts(rng, 3)
        seen: dict[tuple[int, date], set[str]] = {}
        days = [date(2025, 3, 31), date(2025, 4, 1), date(2025, 6, 30), date(2025, 7, 1), date(2025, 9, 15)]
        days += [date(2025, 12, 31), date(2026, 1, 1), date(2026, 2, 1)]
        for day in days:
            for months, table in zip(
                PERIOD_CHOICES, period_tables(counts, day, column_totals=column_totals), strict=True
            ):
                columns = list(zip(*table.cells, strict=True))
                for month, column in zip(period_last(months, today=day).months, columns, strict=True):
                    if month < day.replace(day=1):
                        for i, cell in enumerate(column):
                            seen.setdefault((i, month), set()).add(cell.text)
                for month, cell in zip(
                    period_last(months, today=day).months, table.column_totals or [], strict=False
                ):
                    if month < day.replace(day=1):
                        seen.setdefault((-1, month), set()).add(cell.text)
        assert {key: texts for key, texts in seen.items() if len(texts) > 1} == {}


# Two LAs' openings of records nobody searched for, July to December 2026 (North, South).
OPENINGS = {7: (12, 10), 8: (3, 25), 9: (20, 5), 10: (9, 12), 11: (10, 0), 12: (11, 8)}


def test_the_national_csv_read_on_new_years_eve_and_new_years_day_shows_each_past_month_alike(world):
    """Through the page: every figure of a month that is over (July to December) is the same in every
    period downloaded on 31 December and on 1 January (the end of a month, a quarter and a year)."""
    north, south = make_child(world), make_child(world, given_names="Oscar", la=world.south)
    for month, counts in OPENINGS.items():
        for child, n in zip((north, south), counts, strict=True):
            events(n, tag=AuditTag.RecordViewed, actor=world.alice, child=child, month=date(2026, month, 1))
    over = {date(2026, month, 1).strftime("%b %Y") for month in OPENINGS}
    seen: dict[tuple[str, str, str], set[str]] = {}
    for moment in (datetime(2026, 12, 31, 12), datetime(2027, 1, 1, 12)):
        with time_machine.travel(timezone.make_aware(moment), tick=False):
            client = signed_in(world.nadia)
            for months in PERIOD_CHOICES:
                content = client.get(reverse("insight:national_csv"), {"months": str(months)}).content
                for row in csv_rows(content):
                    if row["column"] in over:
                        seen.setdefault((row["table"], row["row"], row["column"]), set()).add(row["figure"])
    assert len(seen) == 4 * 3 * len(OPENINGS)  # four tables, two LAs and the months' totals, six months
    assert {key: figures for key, figures in seen.items() if len(figures) > 1} == {}
