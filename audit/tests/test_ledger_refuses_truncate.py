"""On PostgreSQL the ledger's tables refuse TRUNCATE too, whoever asks, the tables' owner included.

The row triggers (audit/migrations/0003_append_only.py, 0005) refuse UPDATE and DELETE, but TRUNCATE fires
no row trigger: a statement trigger (0007) refuses it, a TRUNCATE ... CASCADE reaching the ledger from a
table it refers to included. Only a superuser gets past it (`session_replication_role = replica`, as it
gets past every trigger), which is how the test suite's flush still empties the ledger
(config/test_postgresql/base.py; config/tests/test_test_flush.py proves every table ends empty).
"""

import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.checks import LEDGER_TABLES
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: the ledger's triggers"),
    pytest.mark.django_db,
]


def _logged() -> None:
    """One event, its deferred foreign key checks run now (a table with pending trigger events cannot be
    truncated at all, which would hide what the trigger does)."""
    event_record(tag=AuditTag.LoginFailed, actor=None)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _refused(statement: str) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    return str(refused.value)


@pytest.mark.parametrize("table", LEDGER_TABLES)
def test_truncate_of_a_ledger_table_is_refused_even_to_a_superuser(table):
    _logged()
    assert f"append-only: TRUNCATE on {table} refused" in _refused(f"TRUNCATE {table} CASCADE")
    assert AuditEvent.objects.exists()


def test_a_cascading_truncate_that_reaches_the_ledger_is_refused():
    """audit_auditevent refers to accounts_user: truncating the accounts with CASCADE would empty the log."""
    _logged()
    assert "append-only: TRUNCATE on audit_auditevent refused" in _refused("TRUNCATE accounts_user CASCADE")
    assert AuditEvent.objects.exists()


def test_an_owner_that_is_not_a_superuser_cannot_switch_the_trigger_off_by_a_setting():
    """The only way past it short of ALTER TABLE (which the deploy check keeps the app role from: it must
    not own the tables) is `session_replication_role`, which only a superuser may set."""
    owner = f"cp_test_owner_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{owner}" NOLOGIN NOSUPERUSER')
        cursor.execute(f'ALTER TABLE audit_audithead OWNER TO "{owner}"')
        cursor.execute(f'SET ROLE "{owner}"')
    try:
        assert "permission denied" in _refused("SET LOCAL session_replication_role = replica")
        assert "append-only" in _refused("TRUNCATE audit_audithead")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def test_every_ledger_table_refuses_update_delete_and_truncate_by_trigger():
    """LEDGER_TABLES (what the deploy check and audit_grants protect) is exactly the triggers' tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND c.relname LIKE 'audit\\_%%'"
        )
        found = set(cursor.fetchall())
    assert found == {
        (table, f"{table}_{kind}") for table in LEDGER_TABLES for kind in ("append_only", "no_truncate")
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reset_sequences", [False, True])
def test_the_test_suites_flush_still_empties_the_ledger(reset_sequences):
    """Both of the test backend's flushes (its own, and Django's TRUNCATE of every table when sequences are
    reset) get past the trigger, for their one statement only."""
    event_record(tag=AuditTag.LoginFailed, actor=None)
    call_command(
        "flush", interactive=False, verbosity=0, reset_sequences=reset_sequences, inhibit_post_migrate=True
    )
    assert not AuditEvent.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone() == ("origin",)
    assert "append-only" in _refused("TRUNCATE audit_auditevent CASCADE")
