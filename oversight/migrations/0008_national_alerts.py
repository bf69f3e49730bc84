"""Alerts about accounts the system administrator manages go to the system administrator's queue.

Alerts already raised about such an account (an LA team member's misuse) move there too, waiting or not:
the LA team they reached could not act on them.
"""

import django.db.models.deletion
from django.db import migrations, models

# As accounts.models.NATIONALLY_MANAGED_ROLES when this was written (a migration keeps its own copy).
NATIONALLY_MANAGED_ROLES = ["national_auditor", "data_manager", "system_admin", "la_team"]
SHIELD_OVERRIDE = "shield_override"  # break-glass notices stay with the child's LA team


def nationally_managed_alerts_moved(apps, schema_editor):
    Alert = apps.get_model("oversight", "Alert")
    Alert.objects.filter(raised_by__role__in=NATIONALLY_MANAGED_ROLES).exclude(kind=SHIELD_OVERRIDE).update(
        national=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_open_email_unique"),
        ("oversight", "0007_exported_children_alert_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="national",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="alert",
            name="local_authority",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.RunPython(nationally_managed_alerts_moved, migrations.RunPython.noop),
    ]
