"""On PostgreSQL the derived search index refuses UPDATE and DELETE too (SQLite: no-op, dev only).

The unexplained-access report trusts it, so it is protected like the log it is derived from; rows the
log does not imply are found by `verify_audit` (see audit/verification.py).
"""

from django.db import migrations

TABLE = "audit_searchappearance"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_search_appearance")]

    operations = [migrations.RunPython(forwards, backwards)]
