"""What becomes of an authenticator whose sealed secret is damaged, and of a clear one left behind.

A sealed secret that cannot be read at all (not even its encoding) counts as a wrong code, as one that
does not open does, never a server error; the enrolment page replaces an unconfirmed one that does not
open. A clear row of django-otp's own table written after the move (an old worker during a rolling
deploy, a restored table) is flagged by the deployment check: the new code never reads it, so the secret
would stay in clear and the account be offered a new authenticator on its password alone.
"""

import pytest
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SealedTOTPDevice
from accounts.services import confirmed_totp_device
from tests.journeys import current_code, totp_device
from tests.personas import PASSWORD

MFA = reverse("accounts:mfa")
ENROL = reverse("accounts:mfa_enrol")


def password_only_client(user) -> Client:
    client = Client()
    signed = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert signed.status_code == 302
    return client


@pytest.mark.parametrize("stored", ["abc", "!!not base64!!"])
def test_a_sealed_secret_that_cannot_be_read_counts_as_a_wrong_code(world, stored):
    device = totp_device(world.alice)
    code = current_code(device)
    SealedTOTPDevice.objects.filter(pk=device.pk).update(key_sealed=stored)
    page = password_only_client(world.alice).post(MFA, {"code": code})
    assert page.status_code == 200 and "not correct" in page.content.decode()
    assert confirmed_totp_device(world.alice).throttling_failure_count == 1


def test_the_enrolment_page_replaces_an_unconfirmed_authenticator_whose_secret_does_not_open(world):
    client = password_only_client(world.alice)
    client.get(ENROL)
    waiting = SealedTOTPDevice.objects.get(user=world.alice, confirmed=False)
    SealedTOTPDevice.objects.filter(pk=waiting.pk).update(key_sealed=totp_device(world.bob).key_sealed)
    page = client.post(ENROL, {"code": "000000"})
    assert page.status_code == 200 and "not correct" in page.content.decode()
    fresh = SealedTOTPDevice.objects.get(user=world.alice, confirmed=False)
    assert fresh.pk != waiting.pk and fresh.bin_key  # a new authenticator to scan, one that opens


def test_a_clear_authenticator_row_is_flagged_by_the_deployment_check(world):
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id == "accounts.E001"]
    TOTPDevice.objects.create(user=world.alice, name="Authenticator app", confirmed=True)
    flagged = [m for m in run_checks(include_deployment_checks=True) if m.id == "accounts.E001"]
    assert len(flagged) == 1 and "1 authenticator" in flagged[0].msg
    assert world.alice.username not in flagged[0].msg  # a count, never whose
