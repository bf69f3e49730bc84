"""An authenticator app's secret is stored sealed under the vault, never in clear.

django-otp's own TOTP device keeps the secret as hex in a plain column: a copy of the database gave every
account's current codes, so a phished or reused password was then a full sign-in. The secret is now
sealed under the account's notes key (`accounts.models.SealedTOTPDevice`), bound to the account and the
device: no column of any table holds it in any spelling, yet a code still signs in once, a replay is
still refused and django-otp's lock after a wrong code still holds.
"""

import base64

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from accounts.models import SealedTOTPDevice, User
from accounts.services import account_suspend, confirmed_totp_device, suspension_reason_text
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import totp_device
from tests.personas import PASSWORD

MFA = reverse("accounts:mfa")
ENROL = reverse("accounts:mfa_enrol")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _password_only(user) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _code(secret: bytes, offset_steps: int = 0) -> str:
    return f"{totp(secret, drift=offset_steps):06d}"


def _enrolled(user) -> tuple[Client, bytes]:
    """Enrol through the page, as a person does: the secret is read off the page, never the database."""
    client = _password_only(user)
    page = client.get(ENROL)
    shown = page.context["secret"]
    secret = base64.b32decode(shown + "=" * (-len(shown) % 8))
    confirmed = client.post(ENROL, {"code": _code(secret)})
    assert confirmed.status_code == 200 and len(confirmed.context["codes"]) == 8
    return client, secret


def _spellings(secret: bytes) -> tuple[list[str], list[bytes]]:
    b32 = base64.b32encode(secret).decode()
    texts = [secret.hex(), b32.rstrip("="), base64.b64encode(secret).decode().rstrip("=")]
    return [t.lower() for t in texts] + [b32.rstrip("=")], [secret, secret.hex().encode(), b32.encode()]


def _columns_holding(secret: bytes) -> list[str]:
    """Every table.column of the whole database (read raw, not through any model) that holds the secret."""
    texts, blobs = _spellings(secret)
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            names = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for name, value in zip(names, row, strict=True):
                    if isinstance(value, memoryview | bytes | bytearray):
                        held = any(blob in bytes(value) for blob in blobs)
                    elif isinstance(value, str):
                        held = any(text in value.lower() or text in value for text in texts)
                    else:
                        held = False
                    if held:
                        found.append(f"{table}.{name}")
    return found


def test_no_column_of_any_table_holds_the_authenticator_secret_after_enrolment(world):
    _, secret = _enrolled(world.alice)
    assert _columns_holding(secret) == []


def test_a_code_from_the_sealed_secret_signs_in_once_and_its_replay_is_refused(world):
    _, secret = _enrolled(world.alice)
    code = _code(secret, offset_steps=1)  # the enrolment used the current step
    first = _password_only(world.alice)
    assert first.post(MFA, {"code": code}).status_code == 302
    assert first.get(reverse("children:search")).status_code == 200

    replay = _password_only(world.alice).post(MFA, {"code": code})
    assert replay.status_code == 200
    assert "This code has already been used: wait for the next one" in replay.content.decode()


def test_a_wrong_code_still_locks_the_sealed_authenticator_for_a_while(world):
    _, secret = _enrolled(world.alice)
    client = _password_only(world.alice)
    assert "The security code is not correct" in client.post(MFA, {"code": "000000"}).content.decode()
    device = confirmed_totp_device(world.alice)
    assert device is not None
    allowed, details = device.verify_is_allowed()
    assert not allowed and details is not None and details["failure_count"] == 1
    # The right code meanwhile is refused unchecked, and the page says why.
    page = client.post(MFA, {"code": _code(secret, offset_steps=1)})
    assert page.status_code == 200
    assert "Too many wrong codes have been entered for your authenticator app" in page.content.decode()


@pytest.mark.parametrize("how", ["device moved to another account", "sealed secret copied to another device"])
def test_a_sealed_secret_opens_only_for_its_own_account_and_device(world, how):
    """Someone able to write the database cannot hand their own authenticator to another account: the
    secret is bound to the account and the device it was sealed for, and elsewhere checks no code."""
    _, secret = _enrolled(world.alice)
    alices = SealedTOTPDevice.objects.get(user=world.alice)
    if how == "device moved to another account":
        SealedTOTPDevice.objects.filter(pk=alices.pk).update(user=world.bob)
    else:
        bobs = totp_device(world.bob)
        SealedTOTPDevice.objects.filter(pk=bobs.pk).update(key_sealed=alices.key_sealed)
    page = _password_only(world.bob).post(MFA, {"code": _code(secret, offset_steps=1)})
    assert page.status_code == 200
    assert "The security code is not correct" in page.content.decode()
    assert AuditEvent.objects.filter(tag=AuditTag.MfaFailed, actor=world.bob).count() == 1


def test_a_suspension_keeps_the_notes_key_an_enrolment_gave_the_account_meanwhile(world):
    """The secret and a suspension reason share the account's notes key: a suspension working from a copy
    of the account read before the enrolment made the key must not make a second one over it."""
    read_before = User.objects.get(pk=world.alice.pk)
    assert read_before.notes_key_id is None
    device = totp_device(world.alice)
    secret, key_id = device.bin_key, User.objects.get(pk=world.alice.pk).notes_key_id
    assert account_suspend(user=read_before, by=None, reason="Synthetic misuse rule")
    stored = User.objects.get(pk=world.alice.pk)
    assert key_id is not None and stored.notes_key_id == key_id
    assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key == secret
    assert suspension_reason_text(stored) == "Synthetic misuse rule"
