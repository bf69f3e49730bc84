"""When a child was last shielded, or renamed while shielded (`Child.found_anew_after`), in clear: a time,
naming nobody. Nullable with no default: on PostgreSQL the column is added without rewriting the table,
and NULL reads as "never" (every search that returned the child still identifies it).

A child shielded now takes the time of its latest shielding in the audit log (`child:shield:applied`), so
a search made before that stops identifying it at once, as it would for a shield applied from now on. One
shielded without such an event (created shielded, or by a merge) keeps NULL: nothing says when.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Max

SHIELD_APPLIED = "child:shield:applied"  # audit.tags.AuditTag.ShieldApplied, as of this migration


def shielded_at_backfilled(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Child = apps.get_model("children", "Child")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    shielded = Child.objects.filter(shielded=True).values_list("pk", flat=True)
    latest = (
        AuditEvent.objects.filter(tag=SHIELD_APPLIED, child_id__in=shielded)
        .values("child_id")
        .annotate(at=Max("occurred_at"))
        .values_list("child_id", "at")
    )
    for child_id, at in latest:
        Child.objects.filter(pk=child_id).update(found_anew_after=at)


class Migration(migrations.Migration):
    dependencies = [("children", "0010_child_lead_version"), ("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="child",
            name="found_anew_after",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(shielded_at_backfilled, migrations.RunPython.noop),
    ]
