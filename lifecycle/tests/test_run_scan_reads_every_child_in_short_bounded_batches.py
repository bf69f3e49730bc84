"""The nightly scan (and the operator's `repair_shredded`) reads the active records in short keyset batches.

It was one SELECT of every active child (with its data key) read through `QuerySet.iterator()`: on
PostgreSQL a server-side cursor held open across fetches for the whole national scan, which a PgBouncer in
transaction pooling (docs/DEPLOYMENT.md, "Connections") cannot serve, and with DISABLE_SERVER_SIDE_CURSORS
(what Django prescribes for transaction pooling) the same query buffered whole in the client: 12 million
rows in memory. Now each batch is its own short query (`pk > last ORDER BY pk LIMIT n`), nothing is held
open between batches, and every active child is still judged exactly once. Synthetic data only.
"""

from collections import Counter
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import lifecycle.removal
import lifecycle.services
from children.models import Child, RecordStatus
from lifecycle.services import lifecycle_run, removals_repair
from tests.personas import make_child
from tests.shredding import shred_rolled_back

BATCH = 2


def _scans(captured: CaptureQueriesContext) -> list[str]:
    """The scan's reads: the active children with their data keys."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if 'FROM "children_child"' in query["sql"] and '"vault_datakey"' in query["sql"]
    ]


def _children(world, count: int) -> list[Child]:
    made = [
        make_child(world, given_names=f"Kid{i}", date_of_birth=date(2016, 1, 1 + i)) for i in range(count)
    ]
    archived = make_child(world, given_names="Gone", date_of_birth=date(2016, 2, 1))
    Child.objects.filter(pk=archived.pk).update(status=RecordStatus.ARCHIVED)
    return made


@pytest.mark.parametrize("count", [BATCH * 2, BATCH * 2 + 1])  # a last batch full, and one part-full
def test_the_scan_reads_in_bounded_batches_and_judges_every_active_child_once(world, monkeypatch, count):
    made = _children(world, count)
    judged: Counter = Counter()
    real = lifecycle.services._due_rule

    def counting(child, today):
        judged[child.pk] += 1
        return real(child, today)

    monkeypatch.setattr(lifecycle.services, "_due_rule", counting)
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    with CaptureQueriesContext(connection) as captured:
        report = lifecycle_run(dry_run=True, batch_size=BATCH)

    scans = _scans(captured)
    assert scans and all("LIMIT 2" in sql for sql in scans), scans
    assert len(scans) == count // BATCH + 1  # the last, short (or empty) batch ends the scan
    assert judged == Counter({child.pk: 1 for child in made})  # each active child once, no archived one
    assert report.examined == count


@pytest.mark.parametrize("count", [BATCH * 2, BATCH * 2 + 1])
def test_the_operators_command_reads_in_bounded_batches_and_finds_each_leftover_once(world, count):
    made = _children(world, count)
    left = made[::2]
    for child in left:
        shred_rolled_back(child)
    with CaptureQueriesContext(connection) as captured:
        found = list(lifecycle.removal.removals_found(batch_size=BATCH))
    # Each leftover the scan finds is read again by its id (`active_read_again`): not a batch.
    batches = [sql for sql in _scans(captured) if '"children_child"."id" = ' not in sql]
    assert batches and all("LIMIT 2" in sql for sql in batches), batches
    assert len(batches) == count // BATCH + 1
    assert sorted(removal.child_id for removal in found) == sorted(child.pk for child in left)

    report = removals_repair(dry_run=True, batch_size=BATCH)
    assert report.found == len(left)
