"""`manage.py ingest`: a line longer than any row can be is read a bounded piece at a time, refused by
number (a reason holding no submitted value), and the rows before and after it still go in, their
numbers unchanged. Memory stays flat whatever the line's length (CSV and JSON Lines alike)."""

import json
import tracemalloc
from io import StringIO

import pytest
from django.core.management import call_command

from children.models import Child
from feeds.models import FeedRow, RowOutcome
from feeds.parsers import RowUnreadable, rows_count, rows_read
from feeds.tests.factories import feed_row, health_source

HUGE = 64_000_000
TOO_LONG = "a line is longer than any row allows"  # JSON Lines
CELL_TOO_LONG = "a cell is longer than any field allows"  # CSV: the refusal link_file gives the same line

FIRST = feed_row(record_id="1", nhs_number=None)
LATER = feed_row(record_id="3", given_names="Oliver", family_name="Quayle", nhs_number=None)


def _csv_line(row):
    return ",".join(row.values())


def _write(path, kind, ending, huge):
    """Good row 1, an overlong row 2, good row 3, then an overlong row 4 with no line end at all."""
    with path.open("w", newline="") as handle:
        if kind == "csv":
            handle.write(",".join(FIRST) + ending + _csv_line(FIRST) + ending)
            handle.write("2,LA-N,," + "x" * huge + ending)
            handle.write(_csv_line(LATER) + ending)
            handle.write("4,LA-N,," + "y" * huge)
        else:
            handle.write(json.dumps(FIRST) + ending)
            handle.write('{"record_id": "2", "given_names": "' + "x" * huge + '"}' + ending)
            handle.write(json.dumps(LATER) + ending)
            handle.write('{"record_id": "4", "given_names": "' + "y" * huge)


def _seen(path):
    return [
        (number, row.reason if isinstance(row, RowUnreadable) else row["record_id"])
        for number, row in rows_read(path)
    ]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_memory_stays_flat_with_a_line_of_64_million_characters(tmp_path, kind, ending):
    path = tmp_path / f"feed.{kind}"
    _write(path, kind, ending, HUGE)
    refused = CELL_TOO_LONG if kind == "csv" else TOO_LONG
    tracemalloc.start()
    seen = _seen(path)
    counted = rows_count(path)
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert top < 48_000_000, top  # the line alone is 64 MB as a str: it was never held whole
    assert seen == [(1, "1"), (2, refused), (3, "3"), (4, refused)]
    assert counted == 4


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_an_overlong_line_is_a_rejected_row_and_the_rows_around_it_go_in(world, tmp_path, kind):
    health_source(world)
    path = tmp_path / f"feed.{kind}"
    _write(path, kind, "\r\n", 9 * 1024 * 1024)
    out, err = StringIO(), StringIO()
    call_command("ingest", "health", str(path), "--no-progress", stdout=out, stderr=err)
    printed = out.getvalue() + err.getvalue()
    refused = CELL_TOO_LONG if kind == "csv" else TOO_LONG
    assert "created: 2" in printed
    assert f"row 2: {refused}" in printed and f"row 4: {refused}" in printed
    assert "Harriet" not in printed and "xxxx" not in printed
    stored = list(FeedRow.objects.order_by("row_number").values_list("row_number", "outcome", "reason"))
    assert stored == [
        (1, RowOutcome.CREATED, ""),
        (2, RowOutcome.REJECTED, refused),
        (3, RowOutcome.CREATED, ""),
        (4, RowOutcome.REJECTED, refused),
    ]
    assert Child.objects.count() == 2


def test_a_json_lines_row_split_at_a_piece_boundary_by_crlf_keeps_the_next_rows_number(tmp_path):
    """An overlong line whose "\\r\\n" falls across the bounded pieces is one line, not two."""
    from linkage.lines import LONGEST_LINE

    path = tmp_path / "feed.jsonl"
    line = '{"record_id": "1", "given_names": "' + "x" * (2 * LONGEST_LINE) + '"}'
    line += " " * (2 * LONGEST_LINE + LONGEST_LINE - len(line) - 1)  # "\r" ends the third piece
    with path.open("w", newline="") as handle:
        handle.write(line + "\r\n" + json.dumps(LATER) + "\r\n")
    assert _seen(path) == [(1, TOO_LONG), (2, "3")]
