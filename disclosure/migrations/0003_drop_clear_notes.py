"""Drop the clear reference and decision reason now that 0002 sealed them; the sealed columns and the
data key become required."""

import django.db.models.deletion
from django.db import migrations, models

import vault.models


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0002_sealed_notes"),
    ]

    operations = [
        migrations.RemoveField(model_name="disclosureexport", name="reference_clear"),
        migrations.RemoveField(model_name="disclosureexport", name="decision_reason_clear"),
        migrations.AlterField(
            model_name="disclosureexport", name="reference", field=vault.models.SealedField()
        ),
        migrations.AlterField(
            model_name="disclosureexport", name="decision_reason", field=vault.models.SealedField()
        ),
        migrations.AlterField(
            model_name="disclosureexport",
            name="data_key",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="vault.datakey"
            ),
        ),
    ]
