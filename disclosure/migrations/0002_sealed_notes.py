"""Seal the reference and decision reason of every export under a new data key of its own.

They were free text in clear (staff could type a child's name). Each existing row gets a fresh data key
and both values sealed under it (AAD: table, column, row, key, as `vault.sealing.Sealer` writes them),
then the clear columns are dropped (0003: on PostgreSQL a table with rows just written cannot be altered
in the same transaction). Reversible for development only: going back unseals into clear columns.
"""

import django.db.models.deletion
from django.db import migrations, models

import vault.models


def seal_existing(apps, schema_editor):
    from vault.keys import data_key_build
    from vault.sealing import Sealer

    DisclosureExport = apps.get_model("disclosure", "DisclosureExport")
    DataKey = apps.get_model("vault", "DataKey")
    for export in DisclosureExport.objects.filter(data_key__isnull=True).iterator():
        built, dek = data_key_build()
        key = DataKey.objects.create(id=built.id, wrapped=built.wrapped, kek_version=built.kek_version)
        export.data_key = key
        Sealer(key, dek).seal_all(
            export, {"reference": export.reference_clear, "decision_reason": export.decision_reason_clear}
        )
        export.save(update_fields=["data_key", "reference", "decision_reason"])


def unseal_back(apps, schema_editor):
    from vault.sealing import Sealer

    DisclosureExport = apps.get_model("disclosure", "DisclosureExport")
    for export in DisclosureExport.objects.select_related("data_key").iterator():
        if export.notes_shredded_at is not None:
            export.reference_clear, export.decision_reason_clear = "", ""
        else:
            sealer = Sealer(export.data_key)
            export.reference_clear = sealer.unseal(export, "reference")
            export.decision_reason_clear = sealer.unseal(export, "decision_reason")
        export.save(update_fields=["reference_clear", "decision_reason_clear"])


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0001_disclosure_export"),
        ("vault", "0002_datakey_superseded_by"),
    ]

    operations = [
        migrations.RenameField(
            model_name="disclosureexport", old_name="reference", new_name="reference_clear"
        ),
        migrations.RenameField(
            model_name="disclosureexport", old_name="decision_reason", new_name="decision_reason_clear"
        ),
        migrations.AddField(
            model_name="disclosureexport",
            name="data_key",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="vault.datakey",
            ),
        ),
        migrations.AddField(
            model_name="disclosureexport",
            name="notes_shredded_at",
            field=models.DateTimeField(
                blank=True, help_text="when the reference and decision reason were destroyed", null=True
            ),
        ),
        migrations.AddField(
            model_name="disclosureexport", name="reference", field=vault.models.SealedField(default=b"")
        ),
        migrations.AddField(
            model_name="disclosureexport", name="decision_reason", field=vault.models.SealedField(default=b"")
        ),
        migrations.RunPython(seal_existing, unseal_back),
    ]
