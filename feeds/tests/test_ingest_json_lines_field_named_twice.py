"""A JSON Lines row naming a field twice is refused by number, as a CSV header naming a column twice is.

JSON leaves a repeated name undefined: Python keeps the last value, many readers (and a source's own
checks or logs) the first. A row `{"family_name": "Pemberton", ..., "family_name": "Quayle"}` was
ingested as Quayle while whatever checked or recorded it upstream saw Pemberton, so what the source says
it sent and what the index holds differ, and nothing said so. The CSV reader already refuses a header
naming a column twice (its fix said "let the last value win"); a JSON Lines row is its own header.
"""

import json
from io import StringIO

from django.core.management import call_command

from children.models import Child
from feeds.models import FeedRow, RowOutcome
from feeds.parsers import rows_read
from feeds.tests.factories import feed_row, health_source


def _twice(row: dict, name: str, value: str) -> str:
    """The row as JSON with `name` given a second time, last, with `value`."""
    return json.dumps(row)[:-1] + f", {json.dumps(name)}: {json.dumps(value)}}}"


def test_a_json_lines_row_naming_a_field_twice_is_refused_by_number_and_the_rest_goes_in(world, tmp_path):
    health_source(world)
    feed = tmp_path / "feed.jsonl"
    other = feed_row(record_id="2", given_names="Oliver", family_name="Quayle", nhs_number="401 023 2137")
    feed.write_text(_twice(feed_row(), "family_name", "Quayle") + "\n" + json.dumps(other) + "\n")
    out = StringIO()
    call_command("ingest", "health", str(feed), "--no-progress", stdout=out, stderr=StringIO())
    printed = out.getvalue()
    assert "row 1: a field is named twice in the row" in printed
    assert "created: 1" in printed
    assert Child.objects.count() == 1
    refused = FeedRow.objects.get(row_number=1)
    assert refused.outcome == RowOutcome.REJECTED and "Quayle" not in refused.reason


def test_a_field_named_twice_inside_a_value_is_refused_too(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"given_names": "x"})[:-1] + ', "gender": {"a": 1, "a": 2}}\n')
    ((number, row),) = list(rows_read(feed))
    assert number == 1 and getattr(row, "reason", None) == "a field is named twice in the row"
