"""`manage.py ingest SOURCE FILE`: CSV and JSON Lines, rejected rows by number, no personal data printed."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from children.models import Child
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
