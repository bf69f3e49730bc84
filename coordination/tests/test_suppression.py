"""Suppression of whole tables: small cells hidden, and no hidden cell given back by the totals.

"Given back" is checked two ways: the plain one (a row or column whose total is published has exactly
one hidden figure, so subtraction finds it) and the strict one (exact linear algebra over every
published sum: is a hidden figure fixed by any combination of them?). Published figures are taken as
exact, although they are rounded: the check must not lean on rounding.
"""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from coordination.statistics import (
    SUPPRESSED,
    WITHHELD,
    Key,
    SuppressedTable,
    rounded,
    table_entries,
    table_suppress,
)
from coordination.tests.interval_reader import hidden_small_narrowed
from coordination.tests.linear_algebra import rank


def _table(
    values: list[list[int]], *, row_totals: bool = True, column_totals: bool = True
) -> SuppressedTable:
    return table_suppress(
        title="Test",
        row_heading="Row",
        row_labels=[f"r{i}" for i in range(len(values))],
        column_labels=[f"c{j}" for j in range(len(values[0]))],
        values=values,
        row_totals=row_totals,
        column_totals=column_totals,
    )


def _published(table: SuppressedTable) -> dict[Key, str]:
    """Every entry as shown, keyed like `table_entries` (totals row and column last)."""
    n_rows, n_cols = len(table.row_labels), len(table.column_labels)
    shown = {(i, j): table.cells[i][j].text for i in range(n_rows) for j in range(n_cols)}
    if table.row_totals is not None:
        shown |= {(i, n_cols): c.text for i, c in enumerate(table.row_totals)}
    if table.column_totals is not None:
        shown |= {(n_rows, j): c.text for j, c in enumerate(table.column_totals)}
    if table.grand_total is not None:
        shown[(n_rows, n_cols)] = table.grand_total.text
    return shown


def _lines(table: SuppressedTable) -> list[list[Key]]:
    """Each published sum as the keys it holds, the total last: rows, columns, and the totals' own lines."""
    n_rows, n_cols = len(table.row_labels), len(table.column_labels)
    lines = []
    if table.row_totals is not None:
        lines += [[(i, j) for j in range(n_cols + 1)] for i in range(n_rows)]
    if table.column_totals is not None:
        lines += [[(i, j) for i in range(n_rows + 1)] for j in range(n_cols)]
    if table.grand_total is not None:
        lines += [[(n_rows, j) for j in range(n_cols + 1)], [(i, n_cols) for i in range(n_rows + 1)]]
    return lines


def _hidden(shown: dict[Key, str]) -> set[Key]:
    return {key for key, text in shown.items() if text in (SUPPRESSED, WITHHELD)}


def _determined(table: SuppressedTable) -> set[Key]:
    """Hidden entries fixed exactly by the published sums: e_k lies in the span of the sums' hidden parts."""
    hidden = sorted(_hidden(_published(table)))
    index = {key: n for n, key in enumerate(hidden)}
    system = []
    for line in _lines(table):
        row = [Fraction(0)] * len(hidden)
        for key in line:
            if key in index:
                row[index[key]] = Fraction(-1 if key == line[-1] else 1)
        if any(row):
            system.append(row)
    base = rank(system)
    determined = set()
    for key in hidden:
        unit = [Fraction(1 if n == index[key] else 0) for n in range(len(hidden))]
        if rank([*system, unit]) == base:
            determined.add(key)
    return determined


def _recoverable_by_subtraction(table: SuppressedTable) -> list[Key]:
    """Hidden entries that are the only hidden figure in a published row or column (with its total)."""
    shown = _published(table)
    hidden = _hidden(shown)
    found = []
    for line in _lines(table):
        in_line = [key for key in line if key in hidden]
        if len(in_line) == 1:
            found.append(in_line[0])
    return found


tables = st.integers(min_value=1, max_value=6).flatmap(
    lambda n_cols: st.lists(
        st.lists(st.one_of(st.integers(0, 12), st.integers(0, 200)), min_size=n_cols, max_size=n_cols),
        min_size=1,
        max_size=6,
    )
)


@settings(max_examples=300, deadline=None)
@given(values=tables, row_totals=st.booleans(), column_totals=st.booleans())
def test_no_hidden_cell_of_a_random_table_can_be_worked_out_from_its_published_figures(
    values, row_totals, column_totals
):
    table = _table(values, row_totals=row_totals, column_totals=column_totals)
    assert _recoverable_by_subtraction(table) == []
    assert _determined(table) == set()


@settings(max_examples=300, deadline=None)
@given(values=tables, row_totals=st.booleans(), column_totals=st.booleans())
def test_every_small_figure_is_hidden_and_every_shown_one_is_the_true_count_rounded_to_five(
    values, row_totals, column_totals
):
    table = _table(values, row_totals=row_totals, column_totals=column_totals)
    truth = table_entries(values, row_totals=row_totals, column_totals=column_totals)
    n_rows, n_cols = len(values), len(values[0])
    for key, text in _published(table).items():
        if truth[key] < 10 and (key[0] >= n_rows or key[1] >= n_cols):
            assert text == WITHHELD  # every hidden total is "Withheld", so that it says nothing of its size
        elif truth[key] < 10:
            assert text == SUPPRESSED
        elif text not in (SUPPRESSED, WITHHELD):
            assert (
                int(text) == rounded(truth[key]) and int(text) % 5 == 0 and abs(int(text) - truth[key]) <= 2
            )


def test_small_cells_are_shown_as_fewer_than_ten_and_others_rounded():
    table = _table([[3, 12, 9, 0]], row_totals=False, column_totals=False)
    assert [c.text for c in table.cells[0]] == [SUPPRESSED, "10", SUPPRESSED, SUPPRESSED]


def test_a_row_total_would_reveal_its_one_small_cell_so_the_next_smallest_is_withheld_too():
    # 40 - 15 - 20 = 5: with the total published, the 5 must not stand alone in its row
    table = _table([[5, 15, 20]], row_totals=True, column_totals=False)
    assert [c.text for c in table.cells[0]] == [SUPPRESSED, WITHHELD, "20"]
    assert table.row_totals is not None and table.row_totals[0].text == "40"
    assert _recoverable_by_subtraction(table) == [] and _determined(table) == set()


def test_a_column_total_would_reveal_its_one_small_cell_so_the_next_smallest_is_withheld_too():
    table = _table([[30], [4], [11], [50]], row_totals=False, column_totals=True)
    assert [row[0].text for row in table.cells] == ["30", SUPPRESSED, WITHHELD, "50"]
    assert table.column_totals is not None and table.column_totals[0].text == "95"


def test_a_two_way_table_hides_a_rectangle_so_neither_row_nor_column_totals_give_a_cell_back():
    values = [[3, 20, 40], [25, 30, 45], [50, 60, 70]]
    table = _table(values)
    hidden = _hidden(_published(table))
    assert (0, 0) in hidden and len(hidden) >= 4  # the small cell, and three more to close a cycle
    assert _recoverable_by_subtraction(table) == [] and _determined(table) == set()
    assert table.cells[2][2].text == "70"  # the rest of the table is still published


def test_a_small_total_is_hidden_like_a_cell():
    table = _table([[2, 3], [40, 50]])
    # 2 + 3 = 5, hidden; "Withheld" as every hidden total is, so that a withheld total says nothing of its
    # size (were it known to be 10 or more, a line of two small figures would prove each at least 1)
    assert table.row_totals is not None and table.row_totals[0].text == WITHHELD
    assert _determined(table) == set()


def test_withholding_the_naive_partner_is_not_enough_when_a_chain_of_sums_still_fixes_the_cell():
    """A cell alone in its row but not its column can still be fixed through other rows: the strict check."""
    values = [[4, 30, 30], [30, 4, 30], [30, 30, 30]]
    table = _table(values)
    assert _determined(table) == set()


@settings(max_examples=300, deadline=None)
@given(values=tables, row_totals=st.booleans(), column_totals=st.booleans())
def test_no_hidden_small_count_of_a_random_table_is_narrowed_by_what_the_page_says_its_figures_mean(
    values, row_totals, column_totals
):
    """Bounds, not only exact sums: with every shown figure within 2 of its count and at least 10, "Fewer
    than 10" 0 to 9, a "Withheld" figure 10 or more and a "Withheld" total anything, no hidden count under
    10 is proved to be other than anything from 0 to 9 (not pinned, not proved above 0, nor below 9)."""
    table = _table(values, row_totals=row_totals, column_totals=column_totals)
    truth = table_entries(values, row_totals=row_totals, column_totals=column_totals)
    assert hidden_small_narrowed(table, truth) == {}
