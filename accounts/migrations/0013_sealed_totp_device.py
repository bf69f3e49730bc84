"""Authenticator apps move to a device of our own whose secret is sealed under the vault.

django-otp's TOTP plugin stored each secret as hex in `otp_totp_totpdevice.key`, in clear. Each device held
there (the plugin stays installed for its code, its table left empty) becomes an `accounts.SealedTOTPDevice`, its
secret sealed under the account's notes key (made if the account has none) with the context naming the
account and the new device (`accounts.models.SealedTOTPDevice._context`), its state kept (confirmed, the
last time step used, the clock drift, the lock after wrong codes, its dates); then the clear rows are
deleted. Sessions verified by an old device name it by its old id: they are asked for the second factor
again (django-otp finds no such device), never an error.

Going back is refused while any sealed device exists: it would either write every secret back in clear
or drop every authenticator, and an account with none is offered a new one at its next sign-in with the
password alone (a second-factor reset removes the password too for that reason). With none, going back
only drops the empty table.
"""

import base64

import django.db.models.deletion
from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError

LEGACY_TABLE = "otp_totp_totpdevice"
CONTEXT = "totp_key"  # accounts.models.TOTP_KEY_CONTEXT


def legacy_totp_device_model() -> type[models.Model]:
    """django-otp's TOTP device table as its plugin (migration 0003) left it, read without the plugin."""

    class Meta:
        apps = Apps()
        app_label = "otp_totp"
        db_table = LEGACY_TABLE
        managed = False

    return type(
        "LegacyTOTPDevice",
        (models.Model,),
        {
            "__module__": __name__,
            "Meta": Meta,
            "user_id": models.IntegerField(),
            "name": models.CharField(max_length=64),
            "confirmed": models.BooleanField(default=True),
            "key": models.CharField(max_length=80),
            "step": models.PositiveSmallIntegerField(default=30),
            "t0": models.BigIntegerField(default=0),
            "digits": models.PositiveSmallIntegerField(default=6),
            "tolerance": models.PositiveSmallIntegerField(default=1),
            "drift": models.SmallIntegerField(default=0),
            "last_t": models.BigIntegerField(default=-1),
            "throttling_failure_timestamp": models.DateTimeField(null=True),
            "throttling_failure_count": models.PositiveIntegerField(default=0),
            "created_at": models.DateTimeField(null=True),
            "last_used_at": models.DateTimeField(null=True),
        },
    )


def _notes_dek(user, DataKey) -> tuple[object, bytes]:
    """The account's notes key and its DEK, made (as `accounts.services._notes_key_held`) if it has none."""
    from vault.keys import WrappedDataKey, data_key_new, data_key_open

    if user.notes_key_id is None:
        new = data_key_new()
        key = DataKey.objects.create(id=new.id, kek_version=new.kek_version, wrapped=new.wrapped)
        user.notes_key_id = key.pk
        user.save(update_fields=["notes_key"])
        return key.pk, new.dek
    key = DataKey.objects.get(pk=user.notes_key_id)
    return key.pk, data_key_open(WrappedDataKey(key.id, key.kek_version, bytes(key.wrapped), key.shredded_at))


def seal_clear_authenticators(apps, schema_editor):
    """Seal every clear secret into a new device (the vault's own functions: the key provider lives
    outside the database, so this needs the same key file the app uses), then delete the clear rows."""
    if LEGACY_TABLE not in schema_editor.connection.introspection.table_names():
        return
    Legacy = legacy_totp_device_model()
    User = apps.get_model("accounts", "User")
    DataKey = apps.get_model("vault", "DataKey")
    Device = apps.get_model("accounts", "SealedTOTPDevice")
    from vault import crypto

    deks: dict[int, tuple[object, bytes]] = {}
    for old in Legacy.objects.using(schema_editor.connection.alias).order_by("pk"):
        if old.user_id not in deks:
            deks[old.user_id] = _notes_dek(User.objects.get(pk=old.user_id), DataKey)
        key_id, dek = deks[old.user_id]
        device = Device.objects.create(
            user_id=old.user_id,
            name=old.name,
            confirmed=old.confirmed,
            step=old.step,
            t0=old.t0,
            digits=old.digits,
            tolerance=old.tolerance,
            drift=old.drift,
            last_t=old.last_t,
            throttling_failure_timestamp=old.throttling_failure_timestamp,
            throttling_failure_count=old.throttling_failure_count,
            last_used_at=old.last_used_at,
        )
        context = f"{CONTEXT}|{old.user_id}|{device.pk}"
        sealed = crypto.seal(
            bytes.fromhex(old.key).hex().encode(), key=dek, aad=f"cp-note|{context}|{key_id}".encode()
        )
        # created_at set here: `auto_now_add` would stamp the migration's time on the insert.
        Device.objects.filter(pk=device.pk).update(
            key_sealed=base64.b64encode(sealed).decode(), created_at=old.created_at
        )
    if schema_editor.connection.vendor == "postgresql":
        # TRUNCATE gives the table a new empty file at once; a DELETE left the clear rows readable in the
        # old one until a vacuum, so a file-level copy or base backup taken meanwhile held them.
        schema_editor.execute(f"TRUNCATE {schema_editor.quote_name(LEGACY_TABLE)}")
    else:
        Legacy.objects.using(schema_editor.connection.alias).all().delete()


class SealedAuthenticatorsHeld(IrreversibleError):
    """Going back would unseal or drop the authenticators held."""


def refuse_to_unseal(apps, schema_editor):
    held = apps.get_model("accounts", "SealedTOTPDevice").objects.count()
    if held:
        raise SealedAuthenticatorsHeld(
            f"{held} authenticator apps are sealed: going back would write their secrets in clear or "
            "drop them (and an account with none enrols a new one with the password alone). Reset "
            "their second factors first if this is really meant."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_user_suspended_in_la"),
        ("vault", "0002_datakey_superseded_by"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="SealedTOTPDevice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(help_text="The human-readable name of this device.", max_length=64),
                ),
                ("confirmed", models.BooleanField(default=True, help_text="Is this device ready for use?")),
                (
                    "throttling_failure_timestamp",
                    models.DateTimeField(
                        blank=True,
                        default=None,
                        help_text="A timestamp of the last failed verification attempt. Null if last attempt succeeded.",
                        null=True,
                    ),
                ),
                (
                    "throttling_failure_count",
                    models.PositiveIntegerField(default=0, help_text="Number of successive failed attempts."),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        auto_now_add=True,
                        help_text="The date and time when this device was initially created in the system.",
                        null=True,
                    ),
                ),
                (
                    "last_used_at",
                    models.DateTimeField(
                        blank=True, help_text="The most recent date and time this device was used.", null=True
                    ),
                ),
                (
                    "key_sealed",
                    models.TextField(
                        editable=False, help_text="The secret, sealed (vault.sealing.note_seal)."
                    ),
                ),
                ("step", models.PositiveSmallIntegerField(default=30, help_text="The time step in seconds.")),
                (
                    "t0",
                    models.BigIntegerField(
                        default=0, help_text="The Unix time at which to begin counting steps."
                    ),
                ),
                ("digits", models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                (
                    "tolerance",
                    models.PositiveSmallIntegerField(
                        default=1, help_text="The number of time steps in the past or future to allow."
                    ),
                ),
                (
                    "drift",
                    models.SmallIntegerField(
                        default=0,
                        help_text="The number of time steps the prover is known to deviate from our clock.",
                    ),
                ),
                (
                    "last_t",
                    models.BigIntegerField(
                        default=-1,
                        help_text="The time step of the last verified code; the next must be at a higher one.",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        help_text="The user that this device belongs to.",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sealed_totp_devices",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "authenticator app",
                "abstract": False,
            },
        ),
        migrations.RunPython(seal_clear_authenticators, refuse_to_unseal),
    ]
