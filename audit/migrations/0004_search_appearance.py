"""Reports (issue 5, part B): an index of which children each search returned, and a (tag, time) index.

The backfill reads existing search events, so reports are right for logs written before this migration.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

SEARCH_PERFORMED = "child:search:performed"


def backfill(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    SearchAppearance = apps.get_model("audit", "SearchAppearance")
    rows = []
    for event in AuditEvent.objects.filter(tag=SEARCH_PERFORMED).order_by("id").iterator(chunk_size=2000):
        for child_id in dict.fromkeys(event.additional.get("result_ids") or []):
            rows.append(
                SearchAppearance(
                    event_id=event.id,
                    actor_id=event.actor_id,
                    child_id=uuid.UUID(child_id),
                    occurred_at=event.occurred_at,
                )
            )
        if len(rows) >= 2000:
            SearchAppearance.objects.bulk_create(rows)
            rows = []
    SearchAppearance.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only")]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["tag", "occurred_at"], name="audit_event_tag_time"),
        ),
        migrations.CreateModel(
            name="SearchAppearance",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("actor_id", models.IntegerField(null=True)),
                ("child_id", models.UUIDField()),
                ("occurred_at", models.DateTimeField()),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="audit.auditevent",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["child_id", "actor_id", "event"], name="audit_appearance_lookup")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("event", "child_id"), name="audit_appearance_unique")
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
