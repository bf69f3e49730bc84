"""`manage.py ingest --workers N`: rows linked in parallel processes, each row once, each new child once.

PostgreSQL only: the workers are real processes forked by the command, each with its own connection,
so they write side by side (SQLite would take their transactions one at a time). They are forked from
the test process, so they seal with the test's key provider and the test reads what they wrote.
"""

import csv
import multiprocessing
import random
import time
from collections import Counter
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.synthetic.names import FAMILY_NAMES, child_given_names
from feeds import workers
from feeds.models import FEED_FIELDS, FeedBatch, FeedRow, RowOutcome
from feeds.tests.factories import feed_row, health_source
from tests.personas import build_world

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: SQLite serialises every writer, so workers cannot race there",
    ),
    pytest.mark.django_db(transaction=True),
]

CHILDREN = workers.BLOCK  # one block of new children, and the same children again in the next block


def _new_children(rng: random.Random) -> list[dict[str, str]]:
    rows = []
    for n in range(CHILDREN):
        gender = rng.choice(("female", "male"))
        rows.append(
            feed_row(
                record_id=f"N{n}",
                nhs_number=None,
                given_names=child_given_names(rng, gender).split(" ")[0],
                family_name=FAMILY_NAMES.draw(rng),
                date_of_birth=(date.today() - timedelta(days=17 * 365) + timedelta(days=n * 37)).isoformat(),
                gender=gender,
                postcode=f"LS{n % 9 + 1} {n % 9 + 1}AB",
            )
        )
    return rows


@pytest.fixture
def slow_decisions(monkeypatch):
    """Each row waits a moment between deciding and writing: the window in which two workers race."""
    from feeds import ingest

    decide = ingest.link_decide

    def slowly(**kwargs):
        decision = decide(**kwargs)
        time.sleep(0.1)
        return decision

    monkeypatch.setattr(ingest, "link_decide", slowly)


@pytest.fixture
def lockstep_decisions(monkeypatch):
    """Each worker, having decided a row, waits for the other to decide its row too before writing.

    The control below must show the race every time, not only when the two forked workers happen to
    start within one row's time of each other (on a busy machine they may not): the barrier, made before
    the fork, holds both in the window between deciding and writing the same child.
    """
    from feeds import ingest

    decide = ingest.link_decide
    barrier = multiprocessing.get_context("fork").Barrier(2)

    def in_lockstep(**kwargs):
        decision = decide(**kwargs)
        barrier.wait(timeout=60)
        return decision

    monkeypatch.setattr(ingest, "link_decide", in_lockstep)


def _feed(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["record_id", "local_authority", *FEED_FIELDS])
        writer.writeheader()
        writer.writerows(rows)
    return path


def _ingest(*args: str) -> str:
    out = StringIO()
    call_command("ingest", *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_two_workers_meeting_the_same_new_children_at_once_create_each_once(tmp_path, slow_decisions):
    """Rows 1-50 go to worker 0 and 51-100 to worker 1: each worker meets child n at the same moment."""
    world = build_world()
    health_source(world)
    first = _new_children(random.Random(5))
    again = [{**row, "record_id": row["record_id"] + "b"} for row in first]
    feed = _feed(tmp_path / "feed.csv", first + again)

    printed = _ingest("health", str(feed), "--workers", "2")

    assert Child.objects.count() == CHILDREN
    assert FeedRow.objects.count() == 2 * CHILDREN
    assert FeedRow.objects.filter(outcome=RowOutcome.CREATED).count() == CHILDREN
    # the other copy found the child its twin row created (nothing new to say: linked)
    assert FeedRow.objects.filter(outcome=RowOutcome.LINKED).count() == CHILDREN
    assert f"created: {CHILDREN}" in printed and "rejected: 0" in printed
    assert FeedBatch.objects.get().status == "completed"
    assert AuditEvent.objects.filter(tag=AuditTag.FeedBatchIngested).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.ChildCreated).count() == CHILDREN


def test_without_the_key_locks_the_same_workers_create_duplicates(tmp_path, monkeypatch, lockstep_decisions):
    """The control: the race above is real, and the key locks are what win it."""
    monkeypatch.setattr("feeds.ingest.record_keys_lock", lambda digests: None)
    world = build_world()
    health_source(world)
    first = _new_children(random.Random(5))
    again = [{**row, "record_id": row["record_id"] + "b"} for row in first]
    _ingest("health", str(_feed(tmp_path / "feed.csv", first + again)), "--workers", "2")
    assert Child.objects.count() > CHILDREN


def test_with_workers_a_bad_row_is_reported_and_every_good_row_goes_in_once(tmp_path):
    world = build_world()
    source = health_source(world)
    rng = random.Random(9)
    rows = _new_children(rng)
    rows += [
        feed_row(record_id="bad", nhs_number="943 476 5918"),
        feed_row(record_id="south", local_authority="LA-S"),
    ]
    rng.shuffle(rows)
    printed = _ingest("health", str(_feed(tmp_path / "feed.csv", rows)), "--workers", "3")

    outcomes = dict(FeedRow.objects.values_list("row_number", "outcome"))
    assert sorted(outcomes) == list(range(1, len(rows) + 1))
    assert list(outcomes.values()).count(RowOutcome.REJECTED) == 2
    assert "nhs_number fails its check digit" in printed
    counts = Counter(outcomes.values())
    assert counts[RowOutcome.CREATED] + counts[RowOutcome.REVIEW] == CHILDREN  # distinct children
    assert Child.objects.count() == counts[RowOutcome.CREATED]
    assert source.batches.get().status == "completed"
