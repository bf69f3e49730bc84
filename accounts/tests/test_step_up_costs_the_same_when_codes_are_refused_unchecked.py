"""A step-up whose code is refused unchecked costs what a wrong password costs, so timing never says the
password was right.

The step-up answers any failure alike, and a wrong password still pays for checking the recovery codes
(each a password hash: argon2id, 100 MiB, in production), so a right password with a wrong code takes as
long. But once the second-factor limit (`mfa.user`) was reached, or the authenticator's own lock was on,
a right password was answered at once, no code checked, while a wrong one still paid for eight hashes:
a password oracle by the clock. Anyone holding a stolen signed-in session reaches the limit in ten
requests (ten empty passkey answers count as failures) without knowing anything.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

import accounts.services
from accounts.services import recovery_codes_issue
from tests.journeys import signed_in, totp_device
from tests.personas import PASSWORD

PASSKEY_COMPLETE = reverse("accounts:passkey_authentication_complete")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def hashes(monkeypatch):
    """How many recovery codes each step-up checks (the hashes it pays for)."""
    counted: list[int] = []
    real = accounts.services.check_password

    def counting(candidate, encoded, *args, **kwargs):
        counted.append(1)
        return real(candidate, encoded, *args, **kwargs)

    monkeypatch.setattr(accounts.services, "check_password", counting)
    return counted


def _confirm(client, password: str) -> str:
    response = client.post(
        reverse("accounts:reauthenticate"), {"password": password, "code": "000000", "next": "/"}
    )
    return response.content.decode()


def test_with_the_code_limit_reached_a_right_password_costs_what_a_wrong_one_does(world, hashes):
    totp_device(world.alice)
    recovery_codes_issue(user=world.alice)
    client = signed_in(world.alice, reauthenticated=False)
    for _ in range(10):  # the stolen session's ten empty passkey answers
        assert client.post(PASSKEY_COMPLETE, {}, content_type="application/json").status_code in (400, 403)
    wrong = _confirm(client, "not the password at all")
    wrong_cost = len(hashes)
    hashes.clear()
    right = _confirm(client, PASSWORD)
    assert (
        "The password or security code is not correct" in wrong
        and "The password or security code is not correct" in right
    )
    assert wrong_cost == 8
    assert len(hashes) == wrong_cost


def test_with_the_authenticator_locked_a_right_password_costs_what_a_wrong_one_does(world, hashes):
    device = totp_device(world.alice)
    recovery_codes_issue(user=world.alice)
    client = signed_in(world.alice, reauthenticated=False)
    device.throttle_increment()  # a wrong code a moment ago: the app is locked for a second or more
    device.throttling_failure_count = 20
    device.save()
    wrong = _confirm(client, "not the password at all")
    wrong_cost = len(hashes)
    hashes.clear()
    right = _confirm(client, PASSWORD)
    assert (
        "The password or security code is not correct" in wrong
        and "The password or security code is not correct" in right
    )
    assert len(hashes) == wrong_cost == 8
