import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.checkpoints import CHECKPOINT_LOCK_ID, checkpoint_create
from audit.services import event_record
from audit.tags import AuditTag


def test_a_checkpoint_holds_the_one_checkpoint_lock_while_it_signs(signed_log, db):
    event_record(tag=AuditTag.LoginFailed, actor=None)
    with CaptureQueriesContext(connection) as queries:
        checkpoint_create(export=False)
    statements = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, sql in enumerate(statements) if str(CHECKPOINT_LOCK_ID) in sql)
    head_write = next(i for i, sql in enumerate(statements) if "INSERT" in sql and "audithead" in sql.lower())
    assert lock < head_write
    if connection.vendor == "postgresql":
        assert "pg_advisory_xact_lock" in statements[lock]


def test_sqlite_transactions_take_the_write_lock_at_begin():
    """On SQLite the lock statement is a no-op because IMMEDIATE transactions already serialise writers."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
