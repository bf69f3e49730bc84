"""The month in progress is published in no period table: only complete calendar months are.

Counts only grow within a month (the audit ledger is append-only), so a reader who compares two days'
readings of the current month knows each count on the first day is at most the same count on the second.
Each day's table of the growing month was suppressed on its own, so a figure withheld one day and shown
(or bounded) the next narrowed a small count: read on 30 June, North "<10", South "Withheld", total 20;
read on 1 July, South's finished June 15, so South was at most 17 on 30 June and North at least 1, not
anything from 0 to 9 (a review's finding, session 39). Two readings within one month narrowed alike.
The periods offered are now the last 3, 6, 12 or 24 complete months; the current month is shown once it
is over, and then reads the same on every day.

The reader is `coordination.tests.interval_reader` (written apart from the suppression module), given
every figure of every period read on each day, and also that a count read on one day is at most the
same count read on a later day.
"""

import math
import random
import re
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from itertools import pairwise

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.services import event_record
from audit.tags import AuditTag
from coordination.statistics import THRESHOLD, Key
from coordination.tests.interval_reader import Bounds, meaning, narrow
from insight.figures import PERIOD_CHOICES, period_last
from insight.tests.support import csv_rows, during, events, month_ago, period_tables
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.personas import make_child

TODAY_TABLE = "Today"  # figures as they stand today, not by month: not a period table


@contextmanager
def this_month_on(day: int, at: time = time(12, 0)) -> Iterator[None]:
    """The clock on `day` of the current month (local time), at noon unless said."""
    moment = timezone.make_aware(datetime.combine(month_ago(0).replace(day=day), at))
    with time_machine.travel(moment, tick=False):
        yield


def _this_month(n: int, *, tag: AuditTag, actor, child=None) -> None:
    """n events early on the 1st of the current month (so never after the clock, whatever day it is)."""
    with this_month_on(1, time(0, 5)):
        for _ in range(n):
            event_record(tag=tag, actor=actor, child_id=child.pk if child else None)


def _month_heads(page: str, table_id: str) -> list[str]:
    """A period table's month headings, as the page shows them (the first heading names the rows)."""
    start = page.index(f'id="{table_id}"')
    head = page[start : page.index("</thead>", start)]
    return re.findall(r'<th scope="col" class="[^"]*--numeric">([^<]+)</th>', head)[:-1]


def _chart_months(page: str, chart_id: str) -> list[str]:
    """The months under a chart's bar groups, each drawn as two short lines ("Nov", "2026")."""
    start = page.index(f'id="{chart_id}"')
    svg = page[start : page.index("</svg>", start)]
    lines = re.findall(r'text-anchor="middle" font-size="11" fill="#0b0c0c">([^<]+)</text>', svg)
    return [f"{short} {year}" for short, year in zip(lines[::2], lines[1::2], strict=True)]


def _period_rows(client: Client, url: str, months: int) -> list[dict[str, str]]:
    return [
        r for r in csv_rows(client.get(url, {"months": str(months)}).content) if r["table"] != TODAY_TABLE
    ]


def _with_counts_last_month_and_this(world) -> None:
    """Openings, break-glass uses, refusals and alerts in both LAs, last month and this month so far."""
    north = make_child(world, given_names="Jasmine", shielded=True)
    south = make_child(world, given_names="Priya", shielded=True, la=world.south, postcode="LS9 1AA")
    for child, actor in ((north, world.alice), (south, world.bob)):
        events(12, tag=AuditTag.RecordViewed, actor=actor, child=child, month=month_ago(1))
        events(11, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=child, month=month_ago(1))
        events(13, tag=AuditTag.AccessDenied, actor=actor, month=month_ago(1))
        _this_month(12, tag=AuditTag.RecordViewed, actor=actor, child=child)
        _this_month(11, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=child)
        _this_month(13, tag=AuditTag.AccessDenied, actor=actor)
    for moment in (during(month_ago(1)), this_month_on(1, time(0, 5))):
        with moment:
            for _ in range(14):
                Alert.objects.create(
                    local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
                )


def test_the_current_month_appears_in_no_period_table_chart_or_csv(world):
    _with_counts_last_month_and_this(world)
    current = month_ago(0).strftime("%b %Y")
    for months in PERIOD_CHOICES:
        complete = period_last(months)
        assert complete.months == [month_ago(back) for back in range(months, 0, -1)]
        said = f"{month_ago(months):%B %Y} to {month_ago(1):%B %Y}"
        for who, page_url, csv_url, n_tables in (
            (world.lena, "insight:local", "insight:local_csv", 4),
            (world.nadia, "insight:national", "insight:national_csv", 4),
        ):
            client = signed_in(who)
            page = client.get(reverse(page_url), {"months": str(months)}).content.decode()
            first = 2 if who == world.lena else 1  # the LA page's first table is "Today"
            charts = [n for n in range(first, n_tables + 1) if f'id="mi-{n}-chart"' in page]
            assert charts  # last month's figures of 10 or more are drawn
            for n in range(first, n_tables + 1):
                assert _month_heads(page, f"mi-{n}") == complete.labels
            for n in charts:
                assert _chart_months(page, f"mi-{n}-chart") == complete.labels
            assert current not in page
            shown = f"The last {months} complete months: {said}. This month's figures are added once"
            assert shown in page
            answer = client.get(reverse(csv_url), {"months": str(months)})
            rows = [r for r in csv_rows(answer.content) if r["table"] != TODAY_TABLE]
            assert {r["column"] for r in rows} == {*complete.labels, "Total"}
            assert current not in answer.content.decode()
            first_month, last_month = f"{month_ago(months):%Y-%m}", f"{month_ago(1):%Y-%m}"
            assert f"-{first_month}-to-{last_month}.csv" in answer["Content-Disposition"]


def test_two_readings_within_a_month_publish_the_same_periodperiod_tables(world):
    """Read early in the month and again late in it, the month having grown in between: every period
    table, on both pages and in both CSV files, is the same (the "Today" table is today's, not a month's)."""
    north = make_child(world, given_names="Jasmine", shielded=True)
    south = make_child(world, given_names="Priya", shielded=True, la=world.south, postcode="LS9 1AA")
    events(12, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=north, month=month_ago(1))
    events(15, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=south, month=month_ago(1))

    def readings() -> list[object]:
        found: list[object] = []
        for who, page_url, csv_url in (
            (world.lena, "insight:local", "insight:local_csv"),
            (world.nadia, "insight:national", "insight:national_csv"),
        ):
            client = signed_in(who)
            for months in PERIOD_CHOICES:
                page = client.get(reverse(page_url), {"months": str(months)}).content.decode()
                tables = re.findall(
                    r'<table class="govuk-table govuk-body-s" id="mi-[2-9]".*?</table>', page, re.S
                )
                found += [tables, _period_rows(client, reverse(csv_url), months)]
        return found

    _this_month(8, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=north)
    _this_month(13, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=south)
    with this_month_on(2):
        early = readings()
    with this_month_on(20):
        for child in (north, south):
            for _ in range(2):
                event_record(tag=AuditTag.ShieldOverridden, actor=world.olivia, child_id=child.pk)
    with this_month_on(28):
        late = readings()
    assert early == late


# ---- the reader, given two days' readings of every period ----------------------------------------------

APR, MAY, JUN, JUL = (date(2026, m, 1) for m in (4, 5, 6, 7))


def _narrowed(
    readings: list[tuple[date, dict[date, list[int]]]], *, column_totals: bool
) -> list[tuple[date, date, int, int, Bounds]]:
    """The small counts that every period read on each day, together, proves other than anything from 0
    to 9: (day, month, row, count, bounds). A month still going on the day it is read is its own unknown
    for that day (a count so far), at most the same month's count on any later day."""
    keys: dict[Hashable, Key] = {}
    bounds: dict[Key, Bounds] = {}
    sums: list[tuple[list[Key], Key]] = []

    def key(var: Hashable) -> Key:
        return keys.setdefault(var, (len(keys), 0))

    def learn(var: Hashable, found: Bounds) -> None:
        low, high = bounds.get(key(var), (0, math.inf))
        bounds[key(var)] = (max(low, found[0]), min(high, found[1]))

    def count(i: int, month: date, day: date) -> Hashable:
        return (i, month, day) if month == day.replace(day=1) else (i, month)

    for day, counts in readings:
        for months, table in zip(
            PERIOD_CHOICES, period_tables(counts, day, column_totals=column_totals), strict=True
        ):
            shown, reading = period_last(months, today=day).months, (day, months)
            for i, row in enumerate(table.cells):
                for month, cell in zip(shown, row, strict=True):
                    learn(count(i, month, day), meaning(cell.text, total=False))
            for i, cell in enumerate(table.row_totals or []):
                learn(("row", reading, i), meaning(cell.text, total=True))
                sums.append(([key(count(i, month, day)) for month in shown], key(("row", reading, i))))
            for month, cell in zip(shown, table.column_totals or [], strict=False):
                total = ("month", month, day if month == day.replace(day=1) else None)
                learn(total, meaning(cell.text, total=True))
                sums.append(([key(count(i, month, day)) for i in range(len(table.cells))], key(total)))
            if table.grand_total is not None:
                learn(("all", reading), meaning(table.grand_total.text, total=True))
                sums.append(
                    ([key(("row", reading, i)) for i in range(len(table.cells))], key(("all", reading)))
                )
    # What the reader knows besides the pages: a count so far is at most the same count later
    # (so far + what came after = later, what came after being 0 or more).
    for (day, counts), (later, _) in pairwise(readings):
        month = day.replace(day=1)
        for i in range(len(counts.get(month, []))):
            if count(i, month, day) in keys:  # published that day
                grew = ("grew", i, month, day)
                learn(grew, (0, math.inf))
                learn(count(i, month, later), (0, math.inf))
                sums.append(([key(count(i, month, day)), key(grew)], key(count(i, month, later))))
    worked_out = narrow(bounds, sums)
    return [
        (day, month, i, n, worked_out[keys[count(i, month, day)]])
        for day, counts in readings
        for month, row in counts.items()
        for i, n in enumerate(row)
        if count(i, month, day) in keys and n < THRESHOLD
        if worked_out[keys[count(i, month, day)]][0] > 0
        or worked_out[keys[count(i, month, day)]][1] < THRESHOLD - 1
    ]


def test_the_national_shape_read_on_30_june_and_1_july_keeps_a_small_june_count_anything_from_0_to_9():
    """Two LAs. On 30 June (June still going): North 8, South 13. June ends at North 10, South 15.
    Before, 30 June's June read North "<10", South "Withheld", total 20, and 1 July's finished June showed
    South 15: South was at most 17 on 30 June, so North at least 1."""
    on_30_june = {APR: [9, 6], MAY: [14, 15], JUN: [8, 13]}
    on_1_july = {APR: [9, 6], MAY: [14, 15], JUN: [10, 15], JUL: [5, 12]}
    readings = [(date(2026, 6, 30), on_30_june), (date(2026, 7, 1), on_1_july)]
    assert _narrowed(readings, column_totals=True) == []


def test_the_national_shape_read_on_14_and_15_june_keeps_a_small_june_count_anything_from_0_to_9():
    """Three LAs, June read on two days as it grows: 14, 8, 6 then 16, 11, 7."""
    on_14_june = {APR: [0, 6, 1], MAY: [20, 4, 0], JUN: [14, 8, 6]}
    on_15_june = {APR: [0, 6, 1], MAY: [20, 4, 0], JUN: [16, 11, 7]}
    readings = [(date(2026, 6, 14), on_14_june), (date(2026, 6, 15), on_15_june)]
    assert _narrowed(readings, column_totals=True) == []


CHOICES = (0, 0, 1, 3, 5, 8, 9, 10, 12, 15, 20)  # counts like the pages' (many small, some 0)


def _months_before(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def _growing(rng: random.Random, n_rows: int) -> list[tuple[date, dict[date, list[int]]]]:
    """Made-up counts: 24 past months, then June as read on the 29th and 30th and, finished, on 1 July
    (each count the same or more each day)."""
    past = {_months_before(JUN, k): [rng.choice(CHOICES) for _ in range(n_rows)] for k in range(1, 25)}
    on_29 = [rng.choice(CHOICES) for _ in range(n_rows)]
    on_30 = [n + rng.choice((0, 1, 2, 3)) for n in on_29]
    finished = [n + rng.choice((0, 1, 2, 3)) for n in on_30]
    return [
        (date(2026, 6, 29), past | {JUN: on_29}),
        (date(2026, 6, 30), past | {JUN: on_30}),
        (date(2026, 7, 1), past | {JUN: finished, JUL: [rng.choice(CHOICES) for _ in range(n_rows)]}),
    ]


def test_random_months_read_on_three_days_either_side_of_a_month_end_keep_small_counts_anything_from_0_to_9():
    """Both pages' shapes: local authorities by month with the months' totals (national), measures by
    month with a total per row only (an LA's), every period read on each of the three days."""
    rng = random.Random(7)
    found = [
        bad
        for n_rows, column_totals in ((3, True), (2, True), (5, False))
        for _ in range(12)
        for bad in _narrowed(_growing(rng, n_rows), column_totals=column_totals)
    ]
    assert found == [], f"narrowed (day, month, row, count, bounds): {found}"
