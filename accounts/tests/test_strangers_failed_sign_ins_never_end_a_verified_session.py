"""Failed sign-ins by someone else never end a verified session; only the session's own failures do.

The step-up (/account/confirm/) and the password change check a password against the sign-in limits, and
`login.user` counts by name alone. Anyone who knew a username could, with ten wrong passwords at the sign-in
page every five minutes and no session of their own, have that person signed out the moment they tried a
break-glass override, an account change or a password change, even with the right answers. While the name
(or the address) is locked the step-up is still refused, with the wait to say so, but the session stays;
it ends only when its own failures reach the limit, as a stolen session guessing the password does.
"""

from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.ratelimit import LOGIN_USER, login_subject
from accounts.stepup import REAUTH_KEY
from accounts.views import STEP_UP_LOCKED
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import current_code, signed_in, totp_device
from tests.personas import PASSWORD

NEW = "plum orchard lantern 7 quietly"


def _strangers_sign_ins(username: str, count: int = LOGIN_USER.limit) -> None:
    """Wrong passwords at the sign-in page, from an address of the stranger's own, with no session."""
    for i in range(count):
        Client().post(
            reverse("accounts:login"),
            {"username": username, "password": f"guess {i}"},
            REMOTE_ADDR="192.0.2.77",
        )


def _confirm(client: Client, password: str, code: str):
    return client.post(
        reverse("accounts:reauthenticate"),
        {"password": password, "code": code, "next": "/"},
        REMOTE_ADDR="10.5.0.1",
    )


def _still_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session and client.get(reverse("children:search")).status_code == 200


def test_a_strangers_failed_sign_ins_refuse_the_step_up_but_leave_the_session(world, shielded_child):
    olivia = signed_in(world.olivia, reauthenticated=False)
    _strangers_sign_ins("olivia")
    override = reverse("children:override", args=[shielded_child.pk])
    response = olivia.post(
        f"{reverse('accounts:reauthenticate')}?next={override}",
        {"password": PASSWORD, "code": current_code(totp_device(world.olivia))},
        REMOTE_ADDR="203.0.113.10",
    )
    assert response.status_code == 429
    assert STEP_UP_LOCKED in response.content.decode()
    assert REAUTH_KEY not in olivia.session  # refused: the step-up is not made
    assert _still_signed_in(olivia)
    assert not AuditEvent.objects.filter(tag=AuditTag.ReauthenticationThrottled).exists()
    refused = AuditEvent.objects.get(tag=AuditTag.ReauthenticationFailed, actor=world.olivia)
    assert refused.additional["refused_unchecked"] is True
    assert refused.additional["locked"] == ["account"]


def test_once_the_lock_ends_the_same_session_steps_up(world):
    lena = signed_in(world.lena, reauthenticated=False)
    _strangers_sign_ins("lena")
    code = current_code(totp_device(world.lena))
    assert _confirm(lena, PASSWORD, code).status_code == 429
    LOGIN_USER.reset(login_subject("lena"))  # the five minutes are over
    assert _confirm(lena, PASSWORD, current_code(totp_device(world.lena), offset_steps=1)).status_code == 302
    assert REAUTH_KEY in lena.session


def test_a_mistyped_step_up_on_top_of_a_strangers_failures_does_not_end_the_session(world):
    lena = signed_in(world.lena, reauthenticated=False)
    _strangers_sign_ins("lena", count=LOGIN_USER.limit - 1)
    mistyped = _confirm(lena, "not quite the password", "000000")
    assert mistyped.status_code == 200
    assert "The password or security code is not correct" in mistyped.content.decode()
    assert _still_signed_in(lena)
    assert STEP_UP_LOCKED in _confirm(lena, PASSWORD, current_code(totp_device(world.lena))).content.decode()
    assert _still_signed_in(lena)


def test_refusals_while_locked_are_audited_once_a_minute(world):
    lena = signed_in(world.lena, reauthenticated=False)
    _strangers_sign_ins("lena")
    for _ in range(5):
        assert _confirm(lena, PASSWORD, "000000").status_code == 429
    assert AuditEvent.objects.filter(tag=AuditTag.ReauthenticationFailed, actor=world.lena).count() == 1
    assert _still_signed_in(lena)


def test_a_strangers_failed_sign_ins_refuse_the_password_change_but_leave_the_session(world):
    alice = signed_in(world.alice)
    _strangers_sign_ins("alice")
    response = alice.post(
        reverse("accounts:password_change"), {"current": PASSWORD, "password1": NEW, "password2": NEW}
    )
    assert response.status_code == 429
    assert STEP_UP_LOCKED in response.content.decode()
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)
    assert _still_signed_in(alice)
    assert not AuditEvent.objects.filter(tag=AuditTag.ReauthenticationThrottled).exists()


def test_the_sessions_own_failures_still_end_it_at_the_limit(world):
    lena = signed_in(world.lena, reauthenticated=False)
    for i in range(LOGIN_USER.limit - 1):
        assert _confirm(lena, f"wrong password {i}", "000000").status_code == 200
    last = _confirm(lena, "wrong password 9", "000000")
    assert "You have been signed out" in last.content.decode()
    assert "_auth_user_id" not in lena.session
    assert AuditEvent.objects.filter(tag=AuditTag.ReauthenticationThrottled, actor=world.lena).count() == 1


def test_a_stolen_session_guessing_from_many_addresses_still_ends_at_the_limit(world):
    """The session's failures are counted by the session, wherever its requests come from."""
    lena = signed_in(world.lena, reauthenticated=False)
    for i in range(LOGIN_USER.limit):
        lena.post(
            reverse("accounts:reauthenticate"),
            {"password": f"guess {i}", "code": "000000", "next": "/"},
            REMOTE_ADDR=f"10.{i}.0.1",
        )
    assert "_auth_user_id" not in lena.session
