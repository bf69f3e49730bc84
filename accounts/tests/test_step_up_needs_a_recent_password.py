"""Step-up is a password *and* a second factor within the last 15 minutes: the sign-in code counts as
one only while the password it follows is that recent.

A password-only session stays alive on the code page (each visit renews its idle expiry) for up to
the 10-hour absolute limit. A code typed there hours after the password marked the step-up as fresh
"now": whoever found the session left open after the password (or stole its cookie) and had a code
reached break-glass and changed the password without ever knowing it. The step-up now dates from the
older of the two proofs: the password (`AUTH_STARTED_KEY`, set when it was accepted).
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SealedTOTPDevice
from tests.journeys import current_code, totp_device
from tests.personas import PASSWORD

PASSWORD_PAGE = reverse("accounts:password_change")
CONFIRM = reverse("accounts:reauthenticate")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _password_only(user) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _kept_open(client: Client, traveller, *, minutes: int, page: str) -> None:
    """The password-only session kept alive on the code page, one visit every 10 minutes."""
    for _ in range(minutes // 10):
        traveller.shift(timedelta(minutes=10))
        assert client.get(page).status_code == 200


def _asks_to_confirm(client: Client, url: str) -> bool:
    response = client.get(url, follow=True)
    went_to = [location for location, _ in response.redirect_chain]
    return (
        bool(went_to) and went_to[-1].startswith(CONFIRM) and "Confirm it is you" in response.content.decode()
    )


def test_a_sign_in_code_long_after_the_password_signs_in_but_is_no_step_up(world, shielded_child):
    device = totp_device(world.olivia)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = _password_only(world.olivia)
        _kept_open(client, traveller, minutes=120, page=reverse("accounts:mfa"))
        assert client.post(reverse("accounts:mfa"), {"code": current_code(device)}).status_code == 302
        assert client.get(reverse("children:search")).status_code == 200  # signed in
        assert _asks_to_confirm(client, PASSWORD_PAGE)
        assert _asks_to_confirm(client, reverse("children:override", args=[shielded_child.pk]))


def test_the_step_up_of_a_sign_in_lasts_fifteen_minutes_from_the_password(world):
    device = totp_device(world.alice)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = _password_only(world.alice)
        traveller.shift(timedelta(minutes=10))
        assert client.post(reverse("accounts:mfa"), {"code": current_code(device)}).status_code == 302
        assert "Change your password" in client.get(PASSWORD_PAGE).content.decode()
        traveller.shift(timedelta(minutes=6))  # 16 minutes after the password, 6 after the code
        assert _asks_to_confirm(client, PASSWORD_PAGE)


def test_enrolling_long_after_the_password_signs_in_but_is_no_step_up(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = _password_only(world.alice)  # no authenticator yet: first sign-in, or after a reset
        _kept_open(client, traveller, minutes=60, page=reverse("accounts:mfa_enrol"))
        device = SealedTOTPDevice.objects.get(user=world.alice, confirmed=False)
        response = client.post(reverse("accounts:mfa_enrol"), {"code": current_code(device)})
        assert len(response.context["codes"]) == 8
        assert client.get(reverse("children:search")).status_code == 200
        assert _asks_to_confirm(client, PASSWORD_PAGE)


def test_a_step_up_on_the_confirm_page_is_fresh_whatever_the_sign_in(world):
    device = totp_device(world.alice)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = _password_only(world.alice)
        _kept_open(client, traveller, minutes=30, page=reverse("accounts:mfa"))
        client.post(reverse("accounts:mfa"), {"code": current_code(device)})
        traveller.shift(timedelta(seconds=30))  # the next code
        confirmed = client.post(
            f"{CONFIRM}?next={PASSWORD_PAGE}", {"password": PASSWORD, "code": current_code(device)}
        )
        assert confirmed["Location"] == PASSWORD_PAGE
        assert "Change your password" in client.get(PASSWORD_PAGE).content.decode()
