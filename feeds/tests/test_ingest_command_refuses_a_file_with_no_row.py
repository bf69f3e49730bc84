"""`manage.py ingest` refuses a file with no row (empty, a header alone, blank lines: a truncated export)
and opens no batch (a review's finding, session 36). Before, it completed the batch empty under the id it
was given, and the real file then sent under that id was refused as other content. The API refuses an
empty batch for the same reason (`feeds.api.BatchIn._not_empty`)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from children.models import Child
from feeds.models import FeedBatch
from feeds.tests.factories import health_source

HEADER = "record_id,local_authority,given_names,family_name,date_of_birth,postcode"
ROW = "H-1,LA-N,Harriet,Pemberton,2016-07-21,LS2 7EY"
NO_ROW = "the file holds no row: nothing was ingested and no batch opened"


def _run(path, *args: str) -> str:
    out = StringIO()
    call_command("ingest", "health", str(path), *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "text"),
    [("feed.csv", HEADER + "\n"), ("feed.csv", ""), ("feed.jsonl", ""), ("feed.jsonl", "\n\n")],
)
def test_a_file_with_no_row_is_refused_and_opens_no_batch(world, tmp_path, name, text):
    health_source(world)
    empty = tmp_path / name
    empty.write_text(text)
    with pytest.raises(CommandError, match=NO_ROW):
        _run(empty, "--batch-id", "2026-12-07")
    assert not FeedBatch.objects.exists()


def test_the_real_file_then_goes_in_under_the_same_batch_id(world, tmp_path):
    health_source(world)
    truncated, full = tmp_path / "feed.csv", tmp_path / "full.csv"
    truncated.write_text(HEADER + "\n")
    full.write_text(HEADER + "\n" + ROW + "\n")
    with pytest.raises(CommandError):
        _run(truncated, "--batch-id", "2026-12-07")
    assert "created: 1" in _run(full, "--batch-id", "2026-12-07")
    assert Child.objects.count() == 1
