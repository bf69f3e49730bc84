"""The append-only triggers hold only if the app's database role neither owns the ledger nor may change it.

An owner that is not a superuser can `ALTER TABLE ... DISABLE TRIGGER` and then DELETE; a role holding
TRUNCATE empties a table without firing a row trigger. `manage.py check --deploy` (audit/checks.py) fails
when the connected role is a superuser, owns a ledger table or may UPDATE, DELETE or TRUNCATE one, and
`manage.py audit_grants ROLE --apply` (run by the tables' owner after `migrate`) sets the split up.

Every role here is made inside the test's transaction and rolled back with it: nothing is left on the server.
"""

import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.checks import LEDGER_TABLES, ledger_role_check
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag

postgresql_only = [
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: roles and grants"),
]
sqlite_only = pytest.mark.skipif(connection.vendor == "postgresql", reason="what SQLite says")


def _sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _role(kind: str) -> str:
    """A NOLOGIN, NOSUPERUSER role with a name of its own (tests on other databases share the server)."""
    name = f"cp_test_{kind}_{uuid.uuid4().hex[:10]}"
    _sql(f'CREATE ROLE "{name}" NOLOGIN NOSUPERUSER')
    return name


@contextmanager
def acting_as(role: str) -> Iterator[None]:
    """`current_user` is `role` inside (SET ROLE), as if the app had connected with it."""
    _sql(f'SET ROLE "{role}"')
    try:
        yield
    finally:
        _sql("RESET ROLE")


def _refused(statement: str, params: list[int] | None = None) -> str:
    """The error a statement raises, under a savepoint so the test's transaction goes on."""
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    return str(refused.value)


def _deploy_check_ids() -> list[str]:
    found = checks.run_checks(include_deployment_checks=True, tags=["audit"])
    return [message.id for message in found if message.id]


# --- the deploy check --------------------------------------------------------------------------------


def test_the_check_runs_with_the_deploy_checks_only():
    """`check --deploy` runs it (the release job, with the app's DATABASE_URL); `migrate`, which runs the
    ordinary checks as the tables' owner, and every other command do not."""
    assert ledger_role_check in checks.registry.registry.deployment_checks
    assert ledger_role_check not in checks.registry.registry.registered_checks
    assert "audit" in ledger_role_check.tags


@sqlite_only
def test_on_sqlite_the_check_says_nothing(db):
    assert ledger_role_check() == []


class TestOnPostgreSQL:
    pytestmark = [*postgresql_only, pytest.mark.django_db]

    def test_a_role_that_owns_the_ledger_tables_fails_the_check(self):
        owner = _role("owner")
        for table in LEDGER_TABLES:
            _sql(f'ALTER TABLE {table} OWNER TO "{owner}"')
        with acting_as(owner):
            found = ledger_role_check()
            assert "audit.E002" in _deploy_check_ids()
        owns = next(message for message in found if message.id == "audit.E002")
        assert owns.level == checks.ERROR
        assert owner in owns.msg
        assert all(table in owns.msg for table in LEDGER_TABLES)
        assert "audit_grants" in (owns.hint or "")

    def test_a_member_of_the_owning_role_fails_the_check_too(self):
        """A member can SET ROLE to the owner, then disable the trigger: as good as owning."""
        owner, app = _role("owner"), _role("app")
        _sql(f'ALTER TABLE audit_auditevent OWNER TO "{owner}"')
        _sql(f'GRANT "{owner}" TO "{app}"')
        _sql(f'GRANT SELECT, INSERT ON {", ".join(LEDGER_TABLES)} TO "{app}"')
        with acting_as(app):
            found = ledger_role_check()
        assert [message.id for message in found] == ["audit.E002", "audit.E003"]
        assert "audit_auditevent" in found[0].msg
        assert "audit_audithead" not in found[0].msg

    def test_a_role_holding_only_select_and_insert_on_the_ledger_passes(self):
        app = _role("app")
        _sql(f'GRANT SELECT, INSERT ON {", ".join(LEDGER_TABLES)} TO "{app}"')
        with acting_as(app):
            assert ledger_role_check() == []
            assert _deploy_check_ids() == []

    def test_a_role_that_may_update_delete_or_truncate_a_ledger_table_fails_the_check(self):
        app = _role("app")
        _sql(f'GRANT SELECT, INSERT ON {", ".join(LEDGER_TABLES)} TO "{app}"')
        _sql(f'GRANT UPDATE, DELETE ON audit_auditevent TO "{app}"')
        _sql("GRANT TRUNCATE ON audit_audithead TO PUBLIC")  # held through PUBLIC counts too
        with acting_as(app):
            found = ledger_role_check()
        assert [message.id for message in found] == ["audit.E003"]
        assert "audit_auditevent (UPDATE, DELETE)" in found[0].msg
        assert "audit_audithead (TRUNCATE)" in found[0].msg
        assert "audit_auditsubtree" not in found[0].msg
        assert "GRANT SELECT, INSERT" in (found[0].hint or "")

    def test_a_role_that_may_set_session_replication_role_fails_the_check(self, monkeypatch):
        """PostgreSQL 15 lets a superuser grant SET on the parameter that switches every trigger off.
        PostgreSQL 14 has no such grant (nor `has_parameter_privilege`): there, only superusers may."""
        if connection.pg_version < 150000:
            pytest.skip("GRANT SET ON PARAMETER is PostgreSQL 15's")
        app = _role("app")
        _sql(f'GRANT SELECT, INSERT ON {", ".join(LEDGER_TABLES)} TO "{app}"')
        _sql(f'GRANT SET ON PARAMETER session_replication_role TO "{app}"')
        with acting_as(app):
            found = ledger_role_check()
            monkeypatch.setattr(connection, "pg_version", 140000)
            assert ledger_role_check() == []  # not asked on PostgreSQL 14
        assert [message.id for message in found] == ["audit.E004"]
        assert "session_replication_role" in found[0].msg

    def test_a_superuser_fails_the_check(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            assert cursor.fetchone() == (True,), "the PostgreSQL test suite runs as a superuser"
        found = ledger_role_check()
        assert [message.id for message in found] == ["audit.E001"]
        assert "superuser" in found[0].msg

    def test_a_role_owning_the_ledgers_schema_fails_the_check(self):
        """A schema's owner may DROP any table in it, the ledger with its triggers (found by the review of
        session 35: the check looked at the tables' owners only)."""
        app = _role("app")
        _sql(f'GRANT SELECT, INSERT ON {", ".join(LEDGER_TABLES)} TO "{app}"')
        _sql(f'ALTER SCHEMA public OWNER TO "{app}"')
        with acting_as(app):
            found = ledger_role_check()
        assert [message.id for message in found] == ["audit.E005"]
        assert "schema public" in found[0].msg

    def test_a_role_owning_the_database_fails_the_check(self):
        """`createdb -O app`, the usual set-up: the database's owner owns PostgreSQL 15's public schema
        (`pg_database_owner`), so it may drop the ledger too."""
        app = _role("app")
        _sql(f'GRANT SELECT, INSERT ON {", ".join(LEDGER_TABLES)} TO "{app}"')
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            database = cursor.fetchone()[0]
        _sql(f'ALTER DATABASE "{database}" OWNER TO "{app}"')
        with acting_as(app):
            found = ledger_role_check()
        assert [message.id for message in found] == ["audit.E005"]
        assert f"database {database}" in found[0].msg

    def test_a_role_that_may_create_roles_fails_the_check(self):
        """Before PostgreSQL 16 a CREATEROLE role may grant itself the tables' owner, then switch the
        triggers off; from 16 it needs more, but an app has no business making roles."""
        app = _role("app")
        _sql(f'ALTER ROLE "{app}" CREATEROLE')
        _sql(f'GRANT SELECT, INSERT ON {", ".join(LEDGER_TABLES)} TO "{app}"')
        with acting_as(app):
            found = ledger_role_check()
        assert [message.id for message in found] == ["audit.E006"]
        assert "CREATEROLE" in found[0].msg

    # --- manage.py audit_grants --------------------------------------------------------------------

    def test_after_audit_grants_the_app_role_writes_the_log_but_cannot_delete_truncate_or_disable_it(self):
        app = _role("app")
        _sql(f'GRANT ALL ON ALL TABLES IN SCHEMA "public" TO "{app}"')  # too much, as a careless setup would
        out = io.StringIO()
        call_command("audit_grants", app, "--apply", stdout=out)
        assert f'REVOKE ALL ON TABLE audit_auditevent FROM "{app}"' in out.getvalue()
        event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": 0})
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        with acting_as(app):
            assert ledger_role_check() == []
            event = event_record(
                tag=AuditTag.LoginFailed, actor=None, additional={"n": 1}
            )  # INSERT, sequence
            assert AuditEvent.objects.filter(pk=event.pk).exists()
            assert "permission denied" in _refused("DELETE FROM audit_auditevent WHERE id = %s", [last])
            assert "permission denied" in _refused("UPDATE audit_searchappearance SET child_id = child_id")
            assert "permission denied" in _refused("TRUNCATE audit_auditsubtree")
            assert "must be owner" in _refused(
                "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only"
            )
            with connection.cursor() as cursor:  # every other table: what the app does to it
                cursor.execute("UPDATE django_session SET expire_date = expire_date WHERE false")
                cursor.execute("DELETE FROM django_session WHERE false")
        assert AuditEvent.objects.filter(pk=last).exists()

    def test_audit_grants_without_apply_prints_the_sql_and_changes_nothing(self):
        app = _role("app")
        out = io.StringIO()
        call_command("audit_grants", app, stdout=out)
        printed = out.getvalue()
        for table in LEDGER_TABLES:
            assert f'GRANT SELECT, INSERT ON TABLE {table} TO "{app}";' in printed
        assert f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "{app}";' in printed
        assert f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "public" TO "{app}";' in printed
        with connection.cursor() as cursor:
            cursor.execute("SELECT has_table_privilege(%s, 'audit_auditevent', 'INSERT')", [app])
            assert cursor.fetchone() == (False,)

    def test_audit_grants_refuses_to_finish_while_the_app_role_owns_a_ledger_table(self):
        app = _role("app")
        _sql(f'ALTER TABLE audit_audithead OWNER TO "{app}"')
        with pytest.raises(
            CommandError, match=r"owns .*audit_audithead.*ALTER TABLE audit_audithead OWNER TO"
        ):
            call_command("audit_grants", app, "--apply", stdout=io.StringIO())

    def test_audit_grants_refuses_a_role_that_does_not_exist_and_the_role_running_it(self):
        with pytest.raises(CommandError, match="no database role"):
            call_command("audit_grants", f"cp_test_missing_{uuid.uuid4().hex[:10]}", "--apply")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            (me,) = cursor.fetchone()
        with pytest.raises(CommandError, match="the tables' owner"):
            call_command("audit_grants", me, "--apply")


def test_audit_grants_refuses_a_role_name_it_cannot_quote(db):
    with pytest.raises(CommandError, match="role name"):
        call_command("audit_grants", 'app"; DROP TABLE audit_auditevent; --')


@sqlite_only
def test_audit_grants_is_for_postgresql_only(db):
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("audit_grants", "app")
