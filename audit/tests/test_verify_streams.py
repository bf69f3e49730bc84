"""verify_audit reads the log in batches on PostgreSQL, so a national log never has to fit in memory.

The scan of every event (`audit.verification._rows`) fetched FETCH rows at a time from a plain cursor,
but on PostgreSQL a plain (client-side) cursor receives the whole result when the query runs: a log of
hundreds of millions of events was held in the verifier's memory before the first leaf was checked.
A server-side cursor (listed in pg_cursors while it is open), inside a transaction so it is not
materialised as a holdable cursor would be, hands the rows over batch by batch.
"""

import pytest
from django.conf import settings
from django.db import connection

from audit import verification
from audit.checkpoints import checkpoint_create
from audit.services import event_record
from audit.signing import signing_key
from audit.tags import AuditTag
from audit.verification import heads_load, log_verify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: SQLite's cursor already steps through rows as they are fetched",
    ),
]


def _open_cursors_over_the_log() -> int:
    """Server-side cursors over the log that stream: a holdable one (declared outside a transaction) is
    materialised whole into a temporary copy on the database server before its first row is fetched,
    which only moves the problem from the verifier's memory to the server's disk."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_cursors WHERE statement ILIKE %s AND NOT is_holdable",
            ["%FROM audit_auditevent%"],
        )
        return int(cursor.fetchone()[0])


def test_verification_scans_the_log_through_a_server_side_cursor_in_batches(signed_log, monkeypatch):
    for n in range(12):
        event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": n})
    checkpoint_create()
    monkeypatch.setattr(verification, "FETCH", 5)
    seen_open: list[int] = []
    original = verification.entry_bytes

    def spying(**entry):
        seen_open.append(_open_cursors_over_the_log())
        return original(**entry)

    monkeypatch.setattr(verification, "entry_bytes", spying)
    report = log_verify(
        heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key()
    )
    assert report.ok, [str(f) for f in report.findings]
    assert report.events == 12
    assert seen_open == [1] * 12
    assert _open_cursors_over_the_log() == 0  # closed once the scan is done
