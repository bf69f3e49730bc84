"""`manage.py ingest SOURCE FILE`: CSV and JSON Lines, rejected rows by number, no personal data printed."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from children.models import Child
from feeds.models import FeedRow, RowOutcome
from feeds.tests.factories import feed_row, health_source


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("ingest", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_a_json_lines_file_is_ingested_and_an_unreadable_line_reported_by_number(world, tmp_path):
    health_source(world)
    feed = tmp_path / "feed.jsonl"
    lines = [
        json.dumps(feed_row()),
        "{not json",
        json.dumps(feed_row(record_id="3", nhs_number="943 476 5918")),
    ]
    feed.write_text("\n".join(lines) + "\n")
    printed = run("health", str(feed))
    assert "created: 1" in printed
    assert "row 2: not valid JSON" in printed
    assert "row 3: nhs_number fails its check digit" in printed
    assert "Pemberton" not in printed and "Harriet" not in printed
    assert Child.objects.count() == 1


def test_a_csv_file_is_ingested_with_a_progress_bar(world, tmp_path):
    health_source(world)
    feed = tmp_path / "feed.csv"
    row = feed_row()
    feed.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n")
    printed = run("health", str(feed))
    assert "created: 1" in printed
    assert "1/1" in printed  # tqdm's bar, on stderr
    assert "already ingested" in run("health", str(feed))


def test_an_unknown_source_or_file_type_is_a_clear_error(world, tmp_path):
    health_source(world)
    with pytest.raises(CommandError, match="no feed source with that code"):
        run("nobody", str(tmp_path / "x.csv"))
    (tmp_path / "x.xlsx").write_text("")
    with pytest.raises(CommandError, match=r"must be \.csv or \.jsonl"):
        run("health", str(tmp_path / "x.xlsx"))


OTHER = {"record_id": "2", "given_names": "Oliver", "family_name": "Quayle", "nhs_number": None}


def _csv(rows):
    return ",".join(rows[0]) + "\n" + "".join(",".join(r.values()) + "\n" for r in rows)


def test_a_csv_with_a_byte_order_mark_is_read_as_without_one(world, tmp_path):
    health_source(world)
    feed = tmp_path / "feed.csv"
    feed.write_bytes(("\ufeff" + _csv([feed_row()])).encode().replace(b"\n", b"\r\n"))
    assert "created: 1" in run("health", str(feed))
    jsonl = tmp_path / "feed.jsonl"
    jsonl.write_bytes(("\ufeff" + json.dumps(feed_row(**OTHER)) + "\n").encode())
    assert "created: 1" in run("health", str(jsonl))
    assert Child.objects.count() == 2


def test_a_row_that_is_not_utf8_is_reported_and_the_rest_of_the_file_goes_in(world, tmp_path):
    health_source(world)
    bad = feed_row(record_id="1", given_names="Zoë", nhs_number=None)
    feed = tmp_path / "feed.csv"
    feed.write_bytes(_csv([bad]).encode("latin-1") + (",".join(feed_row(**OTHER).values()) + "\n").encode())
    printed = run("health", str(feed))
    assert "row 1: not valid UTF-8 text" in printed and "created: 1" in printed
    assert Child.objects.count() == 1


def test_an_oversized_cell_or_number_is_reported_and_the_rest_of_the_file_goes_in(world, tmp_path):
    health_source(world)
    feed = tmp_path / "feed.csv"
    feed.write_text(
        _csv([feed_row(record_id="1", given_names="X" * 200_000, nhs_number=None), feed_row(**OTHER)])
    )
    printed = run("health", str(feed))
    assert "row 1: a cell is longer than any field allows" in printed and "created: 1" in printed
    jsonl = tmp_path / "feed.jsonl"
    jsonl.write_text(
        '{"record_id": ' + "9" * 5000 + "}\n" + json.dumps(feed_row(record_id="3", nhs_number=None)) + "\n"
    )
    printed = run("health", str(jsonl))
    assert "row 1: not valid JSON" in printed and "created: 1" in printed
    assert Child.objects.count() == 2


def test_an_unclosed_quote_is_reported_with_the_lines_it_swallowed_and_later_rows_keep_their_numbers(
    world, tmp_path
):
    health_source(world)
    rows = [
        feed_row(record_id="1", given_names='"Harriet', nhs_number=None),
        feed_row(**OTHER),
        feed_row(record_id="3", given_names="Imogen", family_name='Fairb"airn', nhs_number=None),
        feed_row(record_id="4", given_names="Noah", family_name="Begum", nhs_number=None),
    ]
    feed = tmp_path / "feed.csv"
    feed.write_text(_csv(rows))
    printed = run("health", str(feed))
    assert "row 1: lines 2 to 4 read as one row: a quote is not closed" in printed
    assert "created: 1" in printed  # row 4, numbered as its line says
    assert FeedRow.objects.filter(row_number=4, outcome=RowOutcome.CREATED).exists()


def test_a_header_naming_a_column_twice_is_refused_before_anything_is_ingested(world, tmp_path):
    health_source(world)
    row = feed_row(nhs_number=None)
    feed = tmp_path / "feed.csv"
    feed.write_text(",".join(row) + ",family_name\n" + ",".join(row.values()) + ",Smith\n")
    with pytest.raises(CommandError, match="the header names a column twice"):
        run("health", str(feed))
    assert Child.objects.count() == 0


def test_a_file_without_its_header_row_never_repeats_a_childs_values(world, tmp_path):
    health_source(world)
    first, second = feed_row(), feed_row(**OTHER)
    feed = tmp_path / "feed.csv"
    whole = ",".join(second.get(name, "") for name in first)  # a cell for each of the first line's
    feed.write_text(",".join(first.values()) + "\n" + whole + "\n")
    printed = run("health", str(feed))
    stored = " ".join(FeedRow.objects.values_list("reason", flat=True))
    assert "row 1: field 1 of the row is not one of the feed's fields" in printed
    # A row shorter than the first line (its empty cell left out) is refused for that, naming no value either.
    feed.write_text(",".join(first.values()) + "\n" + ",".join(second.values()) + "\n")
    printed = run("health", str(feed), "--batch-id", "without-header-short")
    stored += " ".join(FeedRow.objects.values_list("reason", flat=True))
    assert "row 1: fewer cells than the header has columns" in printed
    for value in first.values():
        assert value not in printed and value not in stored
