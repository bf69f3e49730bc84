"""The suspension reason is sealed under a notes key of the account's own (it often names a child).

Reasons already held in clear are sealed in place, then the clear column is dropped.
"""

import base64

import django.db.models.deletion
from django.db import migrations, models

CONTEXT = "suspension_reason"  # accounts.services.SUSPENSION_REASON


def seal_existing_reasons(apps, schema_editor):
    """Seal each clear reason under a new notes key (the vault's own functions: the key provider lives
    outside the database, so this needs the same key file the app uses)."""
    User = apps.get_model("accounts", "User")
    DataKey = apps.get_model("vault", "DataKey")
    suspended = User.objects.exclude(suspension_reason="")
    if not suspended.exists():
        return
    from vault import crypto
    from vault.keys import data_key_new

    for user in suspended:
        new = data_key_new()
        key = DataKey.objects.create(id=new.id, kek_version=new.kek_version, wrapped=new.wrapped)
        sealed = crypto.seal(
            user.suspension_reason.encode(), key=new.dek, aad=f"cp-note|{CONTEXT}|{key.pk}".encode()
        )
        user.notes_key = key
        user.suspension_reason_sealed = base64.b64encode(sealed).decode()
        user.save(update_fields=["notes_key", "suspension_reason_sealed"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_home_postcode_token"),
        ("vault", "0002_datakey_superseded_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="notes_key",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="vault.datakey",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="suspension_reason_sealed",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(seal_existing_reasons, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="user",
            name="suspension_reason",
        ),
    ]
