"""A feed file rewritten while `manage.py ingest` reads it is never recorded as ingested.

The batch id is the file's SHA-256, taken before the rows are read (a second and third read: counting,
then ingesting). A file rewritten in place part-way through (a nightly transfer copying the next extract
over it during a run of hours) had its remaining rows read from the new content at the old offset, and
the batch was completed under the first content's fingerprint: ingesting the first file again then said
"This batch was already ingested: nothing changed", and its rows after the rewrite were never ingested
by anyone, silently. Now the run stops at the first row read after the change, the rows before it done
and the batch left in progress, so the same file finishes it and another file is another batch.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

import feeds.ingest
from children.models import Child
from feeds.models import BatchStatus, FeedBatch
from feeds.tests.factories import feed_row, health_source

FIRST = [
    feed_row(),
    feed_row(record_id="H-2", given_names="Oliver", family_name="Quayle", nhs_number="401 023 2137"),
    feed_row(record_id="H-3", given_names="Priya", family_name="Ramsbottom", nhs_number="943 476 5870"),
]
NEXT = [
    feed_row(record_id="N-1", given_names="Wanda", family_name="Xenakis", nhs_number=None),
    feed_row(record_id="N-2", given_names="Yusuf", family_name="Zabini", nhs_number=None),
    feed_row(record_id="N-3", given_names="Agnes", family_name="Brightwater", nhs_number=None),
]


def _text(rows):
    return ",".join(FIRST[0]) + "\n" + "".join(",".join(r.get(k, "") for k in FIRST[0]) + "\n" for r in rows)


def run(path):
    out = StringIO()
    call_command("ingest", "health", str(path), "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_file_rewritten_during_its_ingest_is_not_completed_and_its_rows_are_all_ingested_later(
    world, tmp_path, monkeypatch
):
    health_source(world)
    feed = tmp_path / "extract.csv"
    feed.write_text(_text(FIRST))
    made = feeds.ingest.record_create

    def record_create(**kwargs):
        child = made(**kwargs)
        if Child.objects.count() == 1:
            with feed.open("r+") as handle:  # copied over in place, as `cp` does
                handle.write(_text(NEXT))
                handle.truncate()
        return child

    monkeypatch.setattr(feeds.ingest, "record_create", record_create)
    with pytest.raises(CommandError, match="the file changed while it was being ingested"):
        run(feed)
    assert FeedBatch.objects.get().status == BatchStatus.IN_PROGRESS
    assert Child.objects.count() == 1
    monkeypatch.undo()

    # The first extract, put back, finishes its batch; the next one is a batch of its own.
    feed.write_text(_text(FIRST))
    assert "created: 3" in run(feed)
    feed.write_text(_text(NEXT))
    assert "created: 3" in run(feed)
    assert Child.objects.count() == 6


def test_a_file_replaced_after_it_was_fingerprinted_is_not_ingested_under_the_first_ones_id(
    world, tmp_path, monkeypatch
):
    """The safe way to deliver a file (write beside it, rename over it), between the fingerprint and the
    reading: the next extract's rows went in under the first's id, so the first was 'already ingested'."""
    import feeds.management.commands.ingest as command

    health_source(world)
    feed = tmp_path / "extract.csv"
    feed.write_text(_text(FIRST))
    count = command.rows_count

    def delivered_meanwhile(*args, **kwargs):
        landing = tmp_path / "extract.csv.part"
        landing.write_text(_text(NEXT))
        landing.replace(feed)
        return count(*args, **kwargs)

    monkeypatch.setattr(command, "rows_count", delivered_meanwhile)
    with pytest.raises(CommandError, match="the file changed while it was being ingested"):
        run(feed)
    assert Child.objects.count() == 0
    monkeypatch.undo()

    feed.write_text(_text(FIRST))
    assert "created: 3" in run(feed)
    feed.write_text(_text(NEXT))
    assert "created: 3" in run(feed)
    assert Child.objects.count() == 6


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_workers_refuse_a_file_replaced_after_it_was_fingerprinted(tmp_path, monkeypatch):
    """With `--workers 2` each forked worker opens the file itself: each checks it is the one hashed."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: forked workers need a database they can all reach")
    import feeds.management.commands.ingest as command
    from tests.personas import build_world

    health_source(build_world())
    feed = tmp_path / "extract.csv"
    feed.write_text(_text(FIRST))
    parallel = command.rows_ingest_parallel

    def delivered_meanwhile(*args, **kwargs):  # after the fingerprint and the count: the workers see it
        landing = tmp_path / "extract.csv.part"
        landing.write_text(_text(NEXT))
        landing.replace(feed)
        return parallel(*args, **kwargs)

    monkeypatch.setattr(command, "rows_ingest_parallel", delivered_meanwhile)
    with pytest.raises(CommandError, match="the file changed while it was being ingested"):
        call_command("ingest", "health", str(feed), "--no-progress", "--workers", "2", stdout=StringIO())
    assert Child.objects.count() == 0
