"""How many audit_auditevent rows PostgreSQL reads to answer a report (tests of the reports' cost).

Every query a report runs is captured as it runs (the Paginator's count and the page alike), then run
again under EXPLAIN ANALYZE with sequential scans disallowed wherever any index would do: the rows read
from the audit table (returned by each scan plus removed by its filter, times its loops) must follow the
rows the report is about, not the size of the log.
"""

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.personas import World, make_child

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's plans: SQLite has no EXPLAIN ANALYZE"
)

UNRELATED_EVENTS = 20_000
VIEWS_EACH = 4


def _rows_read(sql: str) -> tuple[int, bool]:
    """Rows of the audit table the statement read, and whether any read was a sequential scan."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_seqscan = on")
    if isinstance(plan, str):
        plan = json.loads(plan)
    total, seq = 0, False

    def walk(node: dict[str, Any]) -> None:
        nonlocal total, seq
        if node.get("Relation Name") == "audit_auditevent":
            read = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
            total += (read + node.get("Rows Removed by Index Recheck", 0)) * node.get("Actual Loops", 1)
            seq = seq or node.get("Node Type") == "Seq Scan"
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return total, seq


def audit_rows_read(run: Callable[[], object]) -> int:
    """Run `run`, then read back every SELECT it made on the audit table; the rows read, in all.
    A sequential scan of the audit table fails the test outright."""
    with CaptureQueriesContext(connection) as captured:
        run()
    with connection.cursor() as cursor:  # the statistics a live database keeps (autovacuum) are current
        cursor.execute("ANALYZE")
    total = 0
    for query in captured.captured_queries:
        # A chunked read (`iterator()`) runs through a server-side cursor: its SELECT is read the same.
        sql = re.sub(r'^DECLARE "\w+" NO SCROLL CURSOR (WITH HOLD )?FOR ', "", query["sql"].lstrip())
        if sql.upper().startswith("SELECT") and re.search(r'(FROM|JOIN) "audit_auditevent"', sql):
            read, seq = _rows_read(sql)
            assert not seq, f"a sequential scan of the audit log: {sql[:300]}"
            total += read
    return total


def other_las_traffic(world: World, events: int = UNRELATED_EVENTS) -> None:
    """`events` views by Southborough's GP of Southborough's records, nothing of Northshire's: one record
    made here, the others ids only (the log holds no foreign key), each viewed a few times as a real log's
    children are, over the last two weeks. Written in bulk (not through `audit.services`: no ledger is
    checked here), so that the table is large enough for the planner to prefer an index where one helps."""
    other = make_child(world, given_names="Ruby", family_name="Okafor", la=world.south, postcode="SB1 2AA")
    records = [other.pk, *(uuid4() for _ in range(max(events // VIEWS_EACH, 1)))]
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            occurred_at=now - timedelta(seconds=n * 60),
            tag=AuditTag.RecordViewed,
            actor=world.bob,
            organisation_id=world.bob.organisation_id,
            child_id=records[n % len(records)],
            additional={"actor_role": world.bob.role},
        )
        for n in range(events)
    )
