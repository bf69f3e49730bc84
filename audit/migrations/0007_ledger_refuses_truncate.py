"""On PostgreSQL the ledger's tables refuse TRUNCATE too, whoever asks (SQLite: no-op, dev only).

The row triggers of 0003 and 0005 refuse UPDATE and DELETE, but TRUNCATE fires no row trigger: a statement
trigger refuses it here, a TRUNCATE ... CASCADE reaching the ledger from a table it refers to included.
There is no switch in it: only what gets past every trigger gets past it, a superuser's
`session_replication_role = replica` (the test suite's flush, config/test_postgresql/base.py) or the
tables' owner's ALTER TABLE ... DISABLE TRIGGER, which is why the app's role must neither be a superuser
nor own these tables (the deploy check, audit/checks.py; `manage.py audit_grants`).
"""

from django.db import migrations

TABLES = ("audit_auditevent", "audit_auditsubtree", "audit_audithead", "audit_searchappearance")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # 0003's function, as 0005's trigger uses it: its message names the operation ("TRUNCATE on ...").
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_search_appearance_by_actor")]

    operations = [migrations.RunPython(forwards, backwards)]
