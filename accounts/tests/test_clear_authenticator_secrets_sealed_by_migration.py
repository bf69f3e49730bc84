"""Migration accounts/0013 seals the authenticator secrets django-otp's TOTP plugin held in clear.

Each clear device becomes a sealed one with its state kept (confirmed, last time step used, drift, the lock
after wrong codes, its dates), the clear rows are deleted, and the person's codes still sign in. Sessions
verified by an old device are asked for the second factor again, never an error. Going back is refused
while sealed devices exist (it would unseal or drop them).
"""

import importlib
import os
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from accounts.models import SealedTOTPDevice
from tests.journeys import current_code, signed_in, totp_device
from tests.migrations import migrate_to

BEFORE = [("accounts", "0012_user_suspended_in_la")]
MIGRATION = importlib.import_module("accounts.migrations.0013_sealed_totp_device")


@pytest.fixture
def legacy_table():
    """django-otp's TOTP table as a deployment holds it before the move (the plugin stays installed)."""
    return MIGRATION.legacy_totp_device_model()


@pytest.mark.django_db(transaction=True)
def test_clear_secrets_are_sealed_with_their_state_kept_and_the_clear_rows_deleted(legacy_table):
    executor = migrate_to(BEFORE)
    User = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
    ivy = User.objects.create(username="ivy", username_skeleton="ivy")
    secret = os.urandom(20)
    now_step = int(time.time()) // 30
    created, used, refused = (timezone.now() - timedelta(days=d) for d in (30, 2, 1))
    legacy_table.objects.create(
        user_id=ivy.pk,
        name="Authenticator app",
        confirmed=True,
        key=secret.hex(),
        tolerance=2,
        last_t=now_step - 5,
        throttling_failure_count=3,
        throttling_failure_timestamp=refused,
        created_at=created,
        last_used_at=used,
    )

    migrate_to(None)

    assert not legacy_table.objects.exists()
    row = SealedTOTPDevice.objects.filter(user_id=ivy.pk).values().get()
    assert secret.hex() not in str(row) and secret.hex().upper() not in str(row)
    assert (row["confirmed"], row["tolerance"], row["last_t"], row["throttling_failure_count"]) == (
        True,
        2,
        now_step - 5,
        3,
    )
    assert (row["created_at"], row["last_used_at"], row["throttling_failure_timestamp"]) == (
        created,
        used,
        refused,
    )
    device = SealedTOTPDevice.objects.get(pk=row["id"])
    assert device.bin_key == secret  # under the account's new notes key
    code = f"{totp(secret):06d}"
    assert device.verify_token(code)
    assert not device.verify_token(code)  # used once

    with pytest.raises(MIGRATION.SealedAuthenticatorsHeld, match="1 authenticator apps are sealed"):
        migrate_to(BEFORE)
    assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key == secret  # nothing undone


def test_a_session_verified_by_a_device_from_before_the_move_is_asked_for_the_second_factor_again(world):
    client = signed_in(world.alice)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = f"otp_totp.totpdevice/{totp_device(world.alice).pk}"
    session.save()
    response = client.get(reverse("children:search"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:mfa")
    assert (
        client.post(reverse("accounts:mfa"), {"code": current_code(totp_device(world.alice))}).status_code
        == 302
    )
    assert client.get(reverse("children:search")).status_code == 200
