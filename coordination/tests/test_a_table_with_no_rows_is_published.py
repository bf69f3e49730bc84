"""A table of counts with columns but no rows (a national table before any LA has a figure, a period with
no LAs) raised a KeyError from `table_suppress`: its totals were keyed by the columns of a first row
there is none of. It is now published: no cells, and each total asked for is a count of 0, hidden as
every total under 10 is ("Withheld": a hidden total never says its size)."""

from coordination.statistics import WITHHELD, table_suppress


def test_a_table_with_no_rows_is_published_with_its_totals_withheld():
    table = table_suppress(
        title="Matches", row_heading="Local authority", row_labels=[], column_labels=["Jan", "Feb"], values=[]
    )
    assert table.cells == [] and table.row_totals == []
    assert [c.text for c in table.column_totals or []] == [WITHHELD, WITHHELD]
    assert table.grand_total is not None and table.grand_total.text == WITHHELD
    assert all(c.value is None for c in [*(table.column_totals or []), table.grand_total])


def test_a_table_with_no_rows_and_no_totals_is_just_its_headings():
    table = table_suppress(
        title="Matches",
        row_heading="Local authority",
        row_labels=[],
        column_labels=["Jan"],
        values=[],
        row_totals=False,
        column_totals=False,
    )
    assert table.cells == [] and table.row_totals is None and table.column_totals is None
    assert table.grand_total is None and not table.any_hidden


def test_only_a_column_total_asked_of_no_rows():
    table = table_suppress(
        title="Matches",
        row_heading="Local authority",
        row_labels=[],
        column_labels=["Jan", "Feb", "Mar"],
        values=[],
        row_totals=False,
    )
    assert [c.text for c in table.column_totals or []] == [WITHHELD] * 3 and table.grand_total is None
