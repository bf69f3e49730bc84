"""Step-up re-authentication (/account/confirm/) is a password check too: throttled with the sign-in
limits, audited on every failure, one answer for any failure, and the session ends at the limit."""

import re

from django.urls import reverse

from accounts.ratelimit import LOGIN_IP, LOGIN_USER, login_subject
from accounts.stepup import REAUTH_KEY
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import current_code, signed_in, totp_device
from tests.personas import PASSWORD


def _confirm(client, password, code, ip="10.0.0.1"):
    return client.post(
        reverse("accounts:reauthenticate"),
        {"password": password, "code": code, "next": "/"},
        REMOTE_ADDR=ip,
    )


def _page_without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_wrong_password_and_a_wrong_code_get_the_same_answer(world):
    """A right password with a wrong code must not answer differently: that was a password oracle."""
    client = signed_in(world.lena, reauthenticated=False)
    wrong_password = _confirm(client, "not the password at all", "000000")
    wrong_code = _confirm(client, PASSWORD, "000000")
    assert wrong_password.status_code == wrong_code.status_code == 200
    assert "The password or security code is not correct" in wrong_password.content.decode()
    assert _page_without_tokens(wrong_password) == _page_without_tokens(wrong_code)
    assert REAUTH_KEY not in client.session


def test_every_failed_reauthentication_is_audited(world):
    client = signed_in(world.lena, reauthenticated=False)
    _confirm(client, "not the password at all", "000000")
    _confirm(client, PASSWORD, "000000")
    failures = AuditEvent.objects.filter(tag=AuditTag.ReauthenticationFailed, actor=world.lena)
    assert failures.count() == 2
    assert all("password" not in str(event.additional).lower() for event in failures)


def test_reauthentication_failures_count_against_the_sign_in_limits(world):
    client = signed_in(world.lena, reauthenticated=False)
    _confirm(client, "not the password at all", "000000", ip="10.7.7.7")
    assert LOGIN_USER.count(login_subject(world.lena.username)) == 1
    assert LOGIN_IP.count("10.7.7.7") == 1


def test_reauthentication_ends_the_session_after_ten_failures(world):
    client = signed_in(world.lena, reauthenticated=False)
    for i in range(9):
        response = _confirm(client, f"wrong password {i}", "000000")
        assert "The password or security code is not correct" in response.content.decode()
    last = _confirm(client, "wrong password 9", "000000")
    assert "You have been signed out" in last.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(tag=AuditTag.ReauthenticationThrottled, actor=world.lena).count() == 1
    # Signed out, and the right password and code now earn nothing but the sign-in page.
    after = _confirm(client, PASSWORD, current_code(totp_device(world.lena)))
    assert after.status_code == 302 and after["Location"].startswith(reverse("accounts:login"))


def test_a_locked_account_cannot_step_up_even_with_the_right_answers(world):
    client = signed_in(world.lena, reauthenticated=False)
    for _ in range(10):
        LOGIN_USER.hit(login_subject(world.lena.username))
    response = _confirm(client, PASSWORD, current_code(totp_device(world.lena)))
    assert response.status_code == 429 and "Wait 5 minutes and try again" in response.content.decode()
    assert REAUTH_KEY not in client.session
    # Refused, but not signed out: these failures were not this session's (see
    # test_strangers_failed_sign_ins_never_end_a_verified_session).
    assert "_auth_user_id" in client.session


def test_the_right_password_and_code_still_confirm(world):
    client = signed_in(world.lena, reauthenticated=False)
    response = _confirm(client, PASSWORD, current_code(totp_device(world.lena)))
    assert response.status_code == 302
    assert REAUTH_KEY in client.session
    assert AuditEvent.objects.filter(tag=AuditTag.Reauthenticated, actor=world.lena).count() == 1
