"""A CSV row must have exactly the header's cells (a review's finding, session 36). One with a cell missing
in the middle (a comma short) was read as if its last cells were blank: every later value slid one column
left, under the wrong field (the town as the street, the postcode as the town). It is refused with its
number and reason, as one with too many cells always was, and the rest of the file goes in. The reader is
the one `link_file` and the national re-linkage use too."""

from io import StringIO

from django.core.management import call_command

from children.models import Child
from feeds.models import FeedRow, RowOutcome
from feeds.tests.factories import health_source
from linkage.csv_rows import RowUnreadable, csv_lines_rows

HEADER = "record_id,local_authority,given_names,family_name,date_of_birth,address_line,town,postcode"


def _read(*lines: str) -> list:
    return list(csv_lines_rows([HEADER + "\n", *(line + "\n" for line in lines)]))


def test_a_row_a_cell_short_is_refused_by_the_reader_not_shifted():
    ((number, row),) = _read("H-1,LA-N,Harriet,Pemberton,2016-07-21,Leeds,LS2 7EY")
    assert number == 1
    assert isinstance(row, RowUnreadable)
    assert row.reason == "fewer cells than the header has columns"


def test_a_row_a_cell_long_is_refused_as_before():
    ((_, row),) = _read("H-1,LA-N,Harriet,Pemberton,2016-07-21,3 Mill Street,Leeds,LS2 7EY,extra")
    assert isinstance(row, RowUnreadable) and row.reason == "more cells than the header has columns"


def test_a_whole_row_is_read_under_its_columns():
    ((_, row),) = _read("H-1,LA-N,Harriet,Pemberton,2016-07-21,3 Mill Street,Leeds,LS2 7EY")
    assert row["address_line"] == "3 Mill Street" and row["town"] == "Leeds" and row["postcode"] == "LS2 7EY"


def test_the_short_row_is_rejected_by_number_and_the_rest_of_the_file_goes_in(world, tmp_path):
    health_source(world)
    feed = tmp_path / "feed.csv"
    short = "H-1,LA-N,Harriet,Pemberton,2016-07-21,Leeds,LS2 7EY"  # the street's cell is missing
    whole = "H-2,LA-N,Harriet,Pemberton,2016-07-21,3 Mill Street,Leeds,LS2 7EY"
    feed.write_text("\n".join([HEADER, short, whole]) + "\n")
    call_command("ingest", "health", str(feed), "--no-progress", stdout=StringIO(), stderr=StringIO())
    rows = {r.row_number: r for r in FeedRow.objects.all()}
    assert rows[1].outcome == RowOutcome.REJECTED
    assert rows[1].reason == "fewer cells than the header has columns"
    assert rows[2].outcome == RowOutcome.CREATED
    assert Child.objects.count() == 1
