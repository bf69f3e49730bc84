"""Audit log benchmark: append throughput, checkpointing, and full verification of 1,000,000 events.

Runs against a throwaway SQLite database in a temporary directory (never var/db.sqlite3), with
ephemeral vault keys and a throwaway signing key. The million events are bulk-inserted with correct
leaf hashes (as event_record would have written them) so that set-up takes seconds, not hours.
Set AUDIT_BENCH_EVENTS to change the log size.
"""

import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

WORKDIR = Path(tempfile.mkdtemp(prefix="cp-bench-audit-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import Organisation, OrganisationKind, Role, User  # noqa: E402
from audit import merkle  # noqa: E402
from audit.checkpoints import checkpoint_create, inclusion_proof_for  # noqa: E402
from audit.ledger import entry_leaf_hex  # noqa: E402
from audit.models import AuditEvent  # noqa: E402
from audit.services import event_record  # noqa: E402
from audit.signing import signing_key, signing_key_create  # noqa: E402
from audit.tags import AuditTag  # noqa: E402
from audit.verification import heads_load, log_verify  # noqa: E402

EVENTS = int(os.environ.get("AUDIT_BENCH_EVENTS", "1000000"))
APPENDS = 5000
BATCH = 10000


def _setup() -> User:
    settings.AUDIT_SIGNING_KEY_FILE = WORKDIR / "signing.pem"
    settings.AUDIT_HEAD_EXPORT_DIR = WORKDIR / "heads"
    settings.AUDIT_CHECKPOINT_GRACE_SECONDS = 0
    signing_key_create(settings.AUDIT_SIGNING_KEY_FILE)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")  # how a file-backed SQLite would be run; fsync per commit
    org = Organisation.objects.create(kind=OrganisationKind.SCHOOL, name="Bench School", code="B-1")
    return User.objects.create(username="bench", organisation=org, role=Role.PRACTITIONER)


def _bulk_load(user: User, count: int) -> None:
    """Plain executemany: the ORM would spend minutes building a million model instances."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    tags = [str(t) for t in AuditTag]
    sql = (
        "INSERT INTO audit_auditevent (id, occurred_at, tag, actor_id, organisation_id, child_id,"
        " additional, leaf_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    )
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor, transaction.atomic():
        for i in range(1, count + 1):
            occurred_at = start + timedelta(microseconds=i * 1000)
            child_id = UUID(int=i * 7919)
            additional = {"purpose": "providing_service", "result_ids": [str(UUID(int=i))], "n": i}
            tag = tags[i % len(tags)]
            leaf = entry_leaf_hex(
                id=i,
                occurred_at=occurred_at,
                tag=tag,
                actor_id=user.pk,
                organisation_id=user.organisation_id,
                child_id=child_id,
                additional=additional,
            )
            stored_at = occurred_at.replace(tzinfo=None).isoformat(sep=" ")
            row = (
                i,
                stored_at,
                tag,
                user.pk,
                user.organisation_id,
                child_id.hex,
                json.dumps(additional),
                leaf,
            )
            rows.append(row)
            if len(rows) == BATCH:
                cursor.executemany(sql, rows)
                rows = []
        cursor.executemany(sql, rows)


def _leaf_rate() -> None:
    moment = datetime.now(UTC)
    for n in range(APPENDS):
        entry_leaf_hex(
            id=n,
            occurred_at=moment,
            tag="child:record:viewed",
            actor_id=1,
            organisation_id=1,
            child_id=UUID(int=n),
            additional={"n": n, "purpose": "safeguarding"},
        )


def _timed(label: str, count: int, fn: object) -> float:
    began = time.perf_counter()
    fn()  # type: ignore[operator]
    elapsed = time.perf_counter() - began
    rate = f", {count / elapsed:,.0f} events/s" if count else ""
    print(f"{label}: {elapsed:.2f} s{rate}", flush=True)
    return elapsed


def main() -> int:
    user = _setup()
    print(f"database: SQLite at {WORKDIR}; log size {EVENTS:,}", flush=True)
    _timed(
        f"bulk load {EVENTS:,} events (set-up, leaf hashes computed)",
        EVENTS,
        lambda: _bulk_load(user, EVENTS),
    )
    _timed("first checkpoint (whole log, builds subtree cache)", EVENTS, checkpoint_create)

    def appends() -> None:
        for n in range(APPENDS):
            event_record(tag=AuditTag.RecordViewed, actor=user, child_id=UUID(int=n), additional={"n": n})

    _timed(f"leaf hash alone (the append path's extra work, {APPENDS:,} entries)", APPENDS, _leaf_rate)
    _timed(f"append via event_record ({APPENDS:,} events, one transaction each)", APPENDS, appends)
    _timed(f"incremental checkpoint ({APPENDS:,} new events)", APPENDS, checkpoint_create)
    head = checkpoint_create().head
    target = AuditEvent.objects.order_by("id").values_list("id", "leaf_hash")[EVENTS // 2]

    def prove() -> None:
        position, proof = inclusion_proof_for(target[0], head)
        leaf, root = bytes.fromhex(target[1]), bytes.fromhex(head.root)
        if not merkle.verify_inclusion(leaf, position, head.size, proof, root):
            raise SystemExit("inclusion proof failed")

    _timed("inclusion proof (generate + verify, one event)", 0, prove)
    heads = heads_load(settings.AUDIT_HEAD_EXPORT_DIR)
    report = None

    def verify() -> None:
        nonlocal report
        report = log_verify(heads=heads, public_key=signing_key().public_key())

    _timed(f"full verification ({head.size:,} events, {len(heads)} heads)", head.size, verify)
    if report is None or not report.ok:
        raise SystemExit(f"verification failed: {report and report.findings[:5]}")
    connection.close()
    shutil.rmtree(WORKDIR, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
