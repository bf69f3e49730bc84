"""A bare carriage return inside a JSON Lines record is JSON white space (a review's finding, session 36).
Read as a line end (the file is opened with newline="", as the CSV reader needs), it split one valid record
into two "not valid JSON" rows and numbered every later row one too high, so a source told "row 2 rejected"
looked at the wrong record. Line feeds, CRLF and (as before) carriage returns alone after a whole record
still end lines, and a broken record never takes the records after it with it."""

import io
import json
from io import StringIO

from django.core.management import call_command

from children.models import Child
from feeds import parsers
from feeds.models import FeedRow
from feeds.tests.factories import feed_row, health_source, second_feed_row


def _ingest(tmp_path, text: str) -> dict[int, tuple[str, str]]:
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(text.encode())
    call_command("ingest", "health", str(feed), "--no-progress", stdout=StringIO(), stderr=StringIO())
    return {r.row_number: (r.outcome, r.reason) for r in FeedRow.objects.all()}


def test_a_bare_carriage_return_between_fields_keeps_the_record_whole_and_the_numbers_true(world, tmp_path):
    health_source(world)
    good = json.dumps(feed_row()).replace(', "given_names"', ',\r "given_names"')
    assert json.loads(good) == feed_row()  # one valid JSON object
    bad = json.dumps(second_feed_row(nhs_number="943 476 5918"))  # fails its check digit
    rows = _ingest(tmp_path, good + "\n" + bad + "\n")
    assert rows == {1: ("created", ""), 2: ("rejected", "nhs_number fails its check digit")}
    assert Child.objects.count() == 1


def test_crlf_line_ends_still_end_records(world, tmp_path):
    health_source(world)
    rows = _ingest(tmp_path, json.dumps(feed_row()) + "\r\n" + json.dumps(second_feed_row()) + "\r\n")
    assert rows == {1: ("created", ""), 2: ("created", "")}


def test_records_ended_by_carriage_returns_alone_are_still_read_line_by_line(world, tmp_path):
    health_source(world)
    rows = _ingest(tmp_path, json.dumps(feed_row()) + "\r" + json.dumps(second_feed_row()) + "\r")
    assert rows == {1: ("created", ""), 2: ("created", "")}


def test_a_broken_record_ended_by_a_carriage_return_does_not_take_the_next_records_with_it(world, tmp_path):
    health_source(world)
    broken = '{"record_id": "H-0", "given_names": '
    text = broken + "\r" + json.dumps(feed_row()) + "\r" + json.dumps(second_feed_row()) + "\r"
    rows = _ingest(tmp_path, text)
    assert rows == {1: ("rejected", "not valid JSON"), 2: ("created", ""), 3: ("created", "")}


def test_carriage_returns_either_side_of_a_value_keep_the_record_whole(world, tmp_path):
    """A piece between two carriage returns may be a whole JSON value ("Smith") without being a record."""
    health_source(world)
    row = feed_row()
    good = json.dumps(row).replace('"family_name": "Pemberton"', '"family_name":\r"Pemberton"\r')
    assert json.loads(good) == row
    bad = json.dumps(second_feed_row(nhs_number="943 476 5918"))
    rows = _ingest(tmp_path, good + "\n" + bad + "\n")
    assert rows == {1: ("created", ""), 2: ("rejected", "nhs_number fails its check digit")}


def test_a_line_of_many_carriage_returns_is_parsed_once_not_again_at_each(monkeypatch):
    """Reading stays linear: what is held is never parsed again at each carriage return (a hostile line of
    many carriage returns cost time growing with the square of its length, up to the 8 MB a line may be)."""
    line = "{" + "".join(f'"f{i}":"abcdefgh",\r' for i in range(2000)) + '"z":1}\n'
    parsed: list[int] = []
    loads = parsers.json.loads

    def counted(text, *args, **kwargs):
        parsed.append(len(text))
        return loads(text, *args, **kwargs)

    monkeypatch.setattr(parsers.json, "loads", counted)
    ((number, row),) = list(parsers._jsonl_rows(io.StringIO(line, newline="")))
    assert number == 1 and isinstance(row, dict) and len(row) == 2001
    assert sum(parsed) <= 2 * len(line), f"{sum(parsed):,} characters parsed for a line of {len(line):,}"
