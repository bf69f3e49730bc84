"""An index for an LA team's reports: what its organisations' staff did in a period (`reports.reports`).

On PostgreSQL it is built CONCURRENTLY (outside a transaction, `atomic = False`): a plain CREATE INDEX
holds a lock that blocks every insert into the ledger, so every audited action, for as long as the build
of a national ledger takes. SQLite (development and tests) builds it as usual. The state is Django's
ordinary `AddIndex`, so the model and the migrations agree (`makemigrations --check`).
"""

from django.conf import settings
from django.db import migrations, models

INDEX = models.Index(fields=["organisation_id", "occurred_at"], name="audit_event_org_time")


def forwards(apps, schema_editor):
    model = apps.get_model("audit", "AuditEvent")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(model, INDEX, concurrently=True)
    else:
        schema_editor.add_index(model, INDEX)


def backwards(apps, schema_editor):
    model = apps.get_model("audit", "AuditEvent")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(model, INDEX, concurrently=True)
    else:
        schema_editor.remove_index(model, INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0007_ledger_refuses_truncate"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="auditevent", index=INDEX)],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
