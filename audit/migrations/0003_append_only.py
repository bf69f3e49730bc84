"""On PostgreSQL the audit tables refuse UPDATE and DELETE, whoever asks (SQLite: no-op, dev only).

A superuser can still disable triggers; that is what the signed Merkle heads are for. In production the
application role should also hold only INSERT and SELECT on these tables and not own them (see
docs/AUDIT.md), so TRUNCATE is refused too.
"""

from django.db import migrations

TABLES = ("audit_auditevent", "audit_auditsubtree", "audit_audithead")

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_merkle")]

    operations = [migrations.RunPython(forwards, backwards)]
