"""`manage.py ingest` over a long file: the source's standing is judged while it runs, not only at the start.

A file of a million rows takes hours (docs/FEEDS.md, "Cost"). The API judges the source at every request
(a request works at most 20 seconds), but the command judged it once, before the first row: a source the
LA team suspended, whose organisation was closed, or whose entitlement was narrowed at 09:05 went on
creating and updating children until the file ended, hours later. A refusal of the command was not
audited either, though the API's is.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

import feeds.ingest
from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from feeds.models import BatchStatus, FeedBatch, FeedRow, FeedSource
from feeds.tests.factories import feed_row, health_source

ROWS = [
    feed_row(),
    feed_row(record_id="H-2", given_names="Oliver", family_name="Quayle", nhs_number="401 023 2137"),
    feed_row(record_id="H-3", given_names="Priya", family_name="Ramsbottom", nhs_number="943 476 5870"),
]


def _csv(path, rows):
    path.write_text(",".join(rows[0]) + "\n" + "".join(",".join(r.values()) + "\n" for r in rows))
    return path


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("ingest", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def _after_the_first_child(monkeypatch, change):
    """Run `change` (a colleague's action, committed with the first row) once the first child is made."""
    made = feeds.ingest.record_create

    def record_create(**kwargs):
        child = made(**kwargs)
        if Child.objects.count() == 1:
            change()
        return child

    monkeypatch.setattr(feeds.ingest, "record_create", record_create)
    # Judged at every row here; in a real run every few seconds.
    monkeypatch.setattr(feeds.ingest, "STANDING_SECONDS", 0.0, raising=False)


def test_a_source_suspended_while_its_file_is_ingested_writes_no_further_row(world, tmp_path, monkeypatch):
    source = health_source(world)
    feed = _csv(tmp_path / "feed.csv", ROWS)
    _after_the_first_child(
        monkeypatch,
        lambda: User.objects.filter(pk=source.user_id).update(suspended_at=timezone.now()),
    )
    with pytest.raises(CommandError, match="suspended") as refused:
        run("health", str(feed))
    assert "left in progress" in str(refused.value)
    assert Child.objects.count() == 1
    assert FeedRow.objects.count() == 1
    assert FeedBatch.objects.get().status == BatchStatus.IN_PROGRESS
    denied = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor_id=source.user_id)
    assert denied.count() == 1 and denied.get().additional["reason"] == "suspended"

    # Reinstated, the same command finishes the batch: every row once.
    User.objects.filter(pk=source.user_id).update(suspended_at=None)
    monkeypatch.undo()
    assert "created: 3" in run("health", str(feed))
    assert Child.objects.count() == 3


def test_a_source_whose_fields_are_narrowed_while_ingesting_supplies_no_further_nhs_number(
    world, tmp_path, monkeypatch
):
    source = health_source(world)
    feed = _csv(tmp_path / "feed.csv", ROWS)
    narrowed = [f for f in source.fields if f != "nhs_number"]
    _after_the_first_child(
        monkeypatch, lambda: FeedSource.objects.filter(pk=source.pk).update(fields=narrowed)
    )
    with pytest.raises(CommandError, match="entitlement") as refused:
        run("health", str(feed))
    assert "left in progress" in str(refused.value)
    assert Child.objects.count() == 1
    monkeypatch.undo()
    # Run again, every further row is judged by the entitlement as it is now: refused, naming the field.
    printed = run("health", str(feed))
    assert "row 2: " in printed and "nhs_number" in printed
    assert Child.objects.count() == 1


def test_a_source_losing_an_la_while_ingesting_never_updates_a_child_of_that_la(world, tmp_path, monkeypatch):
    source = health_source(world, las=[world.north, world.south])
    moved = feed_row(record_id="H-1b", local_authority="LA-S", address_line="9 Kiln Road", postcode="LS6 1AA")
    feed = _csv(tmp_path / "feed.csv", [ROWS[0], moved])
    _after_the_first_child(monkeypatch, lambda: source.local_authorities.remove(world.north))
    with pytest.raises(CommandError, match="entitlement"):
        run("health", str(feed))
    child = Child.objects.get()
    # The second row is about the North child: North is no longer the source's, so it is not written.
    assert child.local_authority_id == world.north.pk
    assert child_details(child).address.postcode == "LS2 7EY"
    assert FeedRow.objects.count() == 1


def test_a_refused_source_is_audited_when_the_command_is_run(world, tmp_path):
    source = health_source(world)
    User.objects.filter(pk=source.user_id).update(suspended_at=timezone.now())
    with pytest.raises(CommandError, match="suspended"):
        run("health", str(_csv(tmp_path / "feed.csv", ROWS)))
    assert Child.objects.count() == 0
    denied = AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor_id=source.user_id)
    assert denied.additional["reason"] == "suspended"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_workers_stop_when_the_source_is_suspended_and_the_refusal_is_audited_once(tmp_path, monkeypatch):
    """With `--workers 2` each forked worker judges the source itself (PostgreSQL: real processes)."""
    from django.db import connection

    from feeds import workers
    from feeds.tests.test_workers import _feed, _new_children
    from tests.personas import build_world

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: forked workers need a database they can all reach")
    import random

    world = build_world()
    source = health_source(world)
    rows = _new_children(random.Random(7))  # one block: worker 0's
    more = [{**r, "record_id": r["record_id"] + "x", "family_name": r["family_name"] + "-Ames"} for r in rows]
    feed = _feed(tmp_path / "feed.csv", rows + more)  # two blocks: one for each worker
    made = feeds.ingest.record_create
    suspended = {"done": False}

    def record_create(**kwargs):
        child = made(**kwargs)
        if not suspended["done"]:
            suspended["done"] = True
            User.objects.filter(pk=source.user_id).update(suspended_at=timezone.now())
        return child

    monkeypatch.setattr(feeds.ingest, "record_create", record_create)
    monkeypatch.setattr(feeds.ingest, "STANDING_SECONDS", 0.0)
    assert len(rows) == workers.BLOCK
    with pytest.raises(CommandError, match="suspended"):
        run("health", str(feed), "--workers", "2")
    # Each worker wrote at most the row it had begun when the other's first child suspended the source.
    assert Child.objects.count() <= 2
    assert FeedBatch.objects.get().status == BatchStatus.IN_PROGRESS
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor_id=source.user_id).count() == 1
