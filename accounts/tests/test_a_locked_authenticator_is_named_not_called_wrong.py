"""A right code the authenticator's own lock refuses unchecked is never called "not correct".

Beside `mfa.user` (10 wrong codes in 5 minutes, "Wait 5 minutes"), django-otp locks the authenticator
itself after each wrong code for 1, 2, 4, ... seconds (512 after the tenth), and while locked it refuses
every code, the right one too, without checking it. The page said "The security code is not correct"
for the code the app showed, after the person had waited the 5 minutes they were told to, and counted it
as another failure; anyone holding the password could keep a person's app refused that way for days
with a wrong code now and then, the person never told to use a recovery code. The page now says the app's
codes are refused for how long and that a recovery code still works (still counted, as any refused code).
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import recovery_codes_issue
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import current_code, totp_device
from tests.personas import PASSWORD

MFA = reverse("accounts:mfa")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _password_only(user) -> Client:
    client = Client()
    assert (
        client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code
        == 302
    )
    return client


def _locked_by_someone_with_the_password(user, traveller, *, wrong_codes: int) -> None:
    """Wrong codes from another session, each sent just as the app's lock of the one before has passed:
    never more than 9 in any 5 minutes, so `mfa.user` never stops them, while the lock doubles each time."""
    for failures in range(wrong_codes):
        traveller.shift(timedelta(seconds=2**failures // 2 + 1))
        attacker = _password_only(user)  # signed in again whenever the last session has gone idle
        assert "The security code is not correct" in attacker.post(MFA, {"code": "000000"}).content.decode()


def test_a_right_code_refused_by_the_authenticators_lock_is_not_called_wrong(world):
    device = totp_device(world.alice)
    recovery = recovery_codes_issue(user=world.alice)[0]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _locked_by_someone_with_the_password(world.alice, traveller, wrong_codes=14)  # locked 2**13 s
        traveller.shift(timedelta(minutes=1))
        owner = _password_only(world.alice)
        page = owner.post(MFA, {"code": current_code(device)})
        text = page.content.decode()
        assert page.status_code == 200
        assert "The security code is not correct" not in text
        assert "Too many wrong codes have been entered for your authenticator app" in text
        assert "Its codes can be used again in 136 minutes" in text
        assert "use one of your recovery codes" in text
        refused = AuditEvent.objects.filter(tag=AuditTag.MfaFailed).latest("pk")
        assert refused.additional["authenticator_locked"] is True  # the log says why, too
        assert owner.post(MFA, {"code": recovery}).status_code == 302  # a recovery code still works
        assert owner.get(reverse("children:search")).status_code == 200


def test_the_right_code_signs_in_once_the_authenticator_lock_has_passed(world):
    device = totp_device(world.alice)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = _password_only(world.alice)
        for _ in range(10):
            traveller.shift(timedelta(seconds=20))
            client.post(MFA, {"code": "000000"})
        traveller.shift(timedelta(seconds=513))
        assert client.post(MFA, {"code": current_code(device)}).status_code == 302
        assert client.get(reverse("children:search")).status_code == 200
