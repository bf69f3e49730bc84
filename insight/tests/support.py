"""Building audit history in earlier months, quickly: events written with the clock moved back."""

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from io import StringIO
from typing import Any

import time_machine
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child


def month_ago(months: int) -> date:
    """The first day of the month `months` before the current one."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


@contextmanager
def during(month: date) -> Iterator[None]:
    """The clock at noon on the 10th of `month` (local time)."""
    moment = timezone.make_aware(datetime.combine(month.replace(day=10), time(12, 0)))
    with time_machine.travel(moment, tick=False):
        yield


def events(n: int, *, tag: AuditTag, actor: User, child: Child | None = None, month: date) -> None:
    with during(month):
        for _ in range(n):
            event_record(tag=tag, actor=actor, child_id=child.pk if child else None)


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(StringIO(content.decode())))


def table_html(page: str, table_id: str) -> str:
    start = page.index(f'<table class="govuk-table govuk-body-s" id="{table_id}"')
    return page[start : page.index("</table>", start)]


def row_figures(table: str, label: str) -> list[str]:
    """A row's figures as a screen reader hears them ("Fewer than 10", not the "<10" shown)."""
    start = table.index(f'scope="row" class="govuk-table__header">{label}</th>')
    row = table[start : table.index("</tr>", start)]
    cells = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">(.*?)</td>', row)
    spoken = [re.search(r'govuk-visually-hidden">([^<]+)<', cell) for cell in cells]
    return [s.group(1) if s else re.sub(r"<[^>]+>", "", cell) for s, cell in zip(spoken, cells, strict=True)]


def period_tables(counts: dict[date, list[int]], today: date, *, column_totals: bool) -> list[Any]:
    """The four periods as the pages publish them on `today` from `counts` (month -> one count a row; a
    month missing counts nothing), with row totals as every period table has: what a reader sees that day."""
    from insight.figures import PERIOD_CHOICES, period_last, period_suppress

    n_rows = len(next(iter(counts.values())))
    tables = []
    for months in PERIOD_CHOICES:
        period = period_last(months, today=today)
        tables.append(
            period_suppress(
                title="t",
                row_heading="r",
                row_labels=[f"r{i}" for i in range(n_rows)],
                period=period,
                values=[
                    [counts.get(month, [0] * n_rows)[i] for month in period.months] for i in range(n_rows)
                ],
                row_totals=True,
                column_totals=column_totals,
            )
        )
    return tables
