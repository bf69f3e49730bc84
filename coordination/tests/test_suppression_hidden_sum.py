"""A published total less the shown figures of its line gives back the sum of the line's hidden entries:
that sum must not be a small count (1 to 9), although no single hidden entry is given back.

Hidden zeros are hidden as "Fewer than 10" too, so for the bridge test they "cover" a small month
(10, 5, 0 with a total of 15: the hidden cells form a cycle), yet 15 - 10 pins the hidden months' sum.
"""

from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.tags import AuditTag
from coordination.statistics import (
    ROUND_TO,
    SUPPRESSED,
    THRESHOLD,
    WITHHELD,
    entry_ends,
    hidden_entries,
    table_entries,
    table_suppress,
)
from insight.tests.support import events, month_ago, row_figures, table_html
from tests.journeys import signed_in

HALF = ROUND_TO // 2


def _hidden_sum_bounds(cells: list[str], total: str) -> tuple[int, int]:
    """What a reader works out for the sum of the hidden cells from the published, rounded figures."""
    shown = [int(c) for c in cells if c.isdigit()]
    t = int(total)
    low = (t - HALF) - sum(v + HALF for v in shown)
    high = (t + HALF) - sum(max(v - HALF, THRESHOLD) for v in shown)
    return max(low, 0), high


def test_the_la_page_never_lets_total_minus_shown_months_give_back_a_small_count(world, shielded_child):
    # 10 emergency openings of the LA's shielded records three months ago, 5 two months ago, none last
    # month (the page publishes complete months only: last month is its newest).
    events(10, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=shielded_child, month=month_ago(3))
    events(5, tag=AuditTag.ShieldOverridden, actor=world.olivia, child=shielded_child, month=month_ago(2))
    page = signed_in(world.lena).get(reverse("insight:local")).content.decode()
    figures = row_figures(table_html(page, "mi-4"), "Your shielded records opened in an emergency")
    *cells, total = figures
    assert cells[-3:] == ["10", SUPPRESSED, SUPPRESSED]
    assert total == WITHHELD  # 15 - 10 would give back the 5
    assert not any(c.isdigit() and c != "10" for c in cells)


def test_a_row_whose_hidden_months_sum_to_a_small_count_has_its_total_withheld():
    table = table_suppress(
        title="t",
        row_heading="r",
        row_labels=["r"],
        column_labels=list("abcde"),
        values=[[0, 0, 10, 5, 0]],
        row_totals=True,
        column_totals=False,
    )
    cells = [c.text for c in table.cells[0]]
    assert table.row_totals is not None
    total = table.row_totals[0].text
    assert cells == [SUPPRESSED, SUPPRESSED, "10", SUPPRESSED, SUPPRESSED] and total == WITHHELD
    if total.isdigit():
        low, high = _hidden_sum_bounds(cells, total)
        assert not (low >= 1 and high < THRESHOLD), f"{cells} total {total}: hidden sum in [{low}, {high}]"


def test_hidden_zeros_alone_give_back_no_small_sum_but_the_total_would_bound_them():
    """A line whose hidden entries are all zero gives back no small sum (0 is not one), but its total
    (40: 38 to 42) less the shown 40 (at least 38) would prove each hidden month at most 4, not anything
    from 0 to 9: the total is withheld for that (interval protection), and the month stays shown."""
    table = table_suppress(
        title="t",
        row_heading="r",
        row_labels=["r"],
        column_labels=list("abc"),
        values=[[0, 0, 40]],
        row_totals=True,
        column_totals=False,
    )
    assert [c.text for c in table.cells[0]] == [SUPPRESSED, SUPPRESSED, "40"]
    assert table.row_totals is not None and table.row_totals[0].text == WITHHELD


tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda n_cols: st.lists(
        st.lists(st.one_of(st.integers(0, 12), st.integers(0, 60)), min_size=n_cols, max_size=n_cols),
        min_size=1,
        max_size=5,
    )
)


@settings(max_examples=300, deadline=None)
@given(values=tables, row_totals=st.booleans(), column_totals=st.booleans())
def test_no_published_total_gives_back_a_small_sum_of_its_lines_hidden_entries(
    values, row_totals, column_totals
):
    n_rows, n_cols = len(values), len(values[0])
    entries = table_entries(values, row_totals=row_totals, column_totals=column_totals)
    hidden = hidden_entries(values, row_totals=row_totals, column_totals=column_totals)
    ends = {
        key: entry_ends(key, n_rows=n_rows, n_cols=n_cols, row_totals=row_totals, column_totals=column_totals)
        for key in entries
    }
    for line in {end for pair in ends.values() for end in pair if end[0] != "ground"}:
        kind, index = line
        total = (index, n_cols) if kind == "row" else (n_rows, index)
        if total in hidden:
            continue
        hidden_sum = sum(entries[k] for k in hidden if k != total and line in ends[k])
        assert not 0 < hidden_sum < THRESHOLD, (values, line, hidden_sum)
