"""A passkey being added as the LA team resets the person's second factor (or suspends or closes the
account): neither request fails, and no passkey outlives the reset (PostgreSQL, two real sessions).

The registration saves the session (taking the ceremony's state) inside its transaction, so it holds the
session's row, and then writes the passkey, whose reference to the account waits for the account's row.
The reset (like a suspension or a closure) holds the account's row and then deletes the sessions: each
waited for the other, PostgreSQL broke the deadlock by failing one of them, and the person got a server
error. The registration now takes the account's row first, as every writer that ends or renews sessions
does, and judges its session still live under it: a reset committed first refuses it.

The sign-in side: a passkey read and checked as the reset removed it found no row to record its use on
(a 500); it is now refused as a passkey not found.
"""

import json
import threading
from collections.abc import Callable
from typing import Any

import django_otp_webauthn.helpers
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import SealedTOTPDevice, User
from accounts.passkeys import PasskeyHelper
from accounts.services import MfaReset, account_close, account_suspend, mfa_reset
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import paused_for, postgresql_race, run_together
from tests.journeys import signed_in, totp_device
from tests.personas import PASSWORD
from tests.webauthn import SoftAuthenticator

pytestmark = postgresql_race()

REGISTER_BEGIN = reverse("accounts:passkey_registration_begin")
REGISTER_COMPLETE = reverse("accounts:passkey_registration_complete")


def _post_json(client: Client, url: str, payload: object):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def _alice_adding_a_passkey(world) -> tuple[Client, dict[str, Any]]:
    alice = signed_in(world.alice)
    alice.raise_request_exception = False
    return alice, SoftAuthenticator().create(_post_json(alice, REGISTER_BEGIN, {}).json())


def _registration_racing(world, monkeypatch, change: Callable[..., Any]) -> tuple[Any, Any]:
    """Alice's session completes adding a passkey while Lena (her LA team) makes `change`: the change
    starts once the registration has verified the passkey and is about to write it, and the registration
    goes on 1.5 s later (PostgreSQL looks for a deadlock after a second's wait). Returns (the
    registration's answer, what the change returned or the database error it raised)."""
    client, body = _alice_adding_a_passkey(world)
    reached, go = threading.Event(), threading.Event()
    real = PasskeyHelper.create_credential

    def paused(self: PasskeyHelper, *args: Any, **kwargs: Any) -> Any:
        reached.set()
        go.wait(timeout=20)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PasskeyHelper, "create_credential", paused)

    def work(index: int) -> Any:
        if index == 0:
            return _post_json(client, REGISTER_COMPLETE, body)
        assert reached.wait(timeout=20), "the registration never reached the writing of the passkey"
        timer = threading.Timer(1.5, go.set)
        timer.start()
        try:
            return change(user=User.objects.get(pk=world.alice.pk), by=world.lena)
        except DatabaseError as error:
            return error
        finally:
            go.set()
            timer.cancel()

    answer, changed = run_together(2, work)
    monkeypatch.undo()
    return answer, changed


def test_a_passkey_added_as_the_second_factor_is_reset_fails_neither_and_is_removed(world, monkeypatch):
    answer, reset = _registration_racing(world, monkeypatch, mfa_reset)

    assert reset is MfaReset.LINK_SENT, f"the LA team's reset failed: {reset!r}"
    assert answer.status_code in (200, 403), f"the registration answered {answer.status_code}"
    left = (
        WebAuthnCredential.objects.filter(user=world.alice).count(),
        SealedTOTPDevice.objects.filter(user=world.alice).count(),
    )
    assert left == (0, 0), f"{left[0]} passkeys and {left[1]} authenticators outlived the reset"
    registered = AuditEvent.objects.filter(tag=AuditTag.PasskeyRegistered).count()
    assert registered == (1 if answer.status_code == 200 else 0)


def test_a_passkey_added_as_the_account_is_suspended_or_closed_fails_neither(world, monkeypatch):
    def suspend(*, user: User, by: User) -> bool:
        return account_suspend(user=user, by=by, reason="Synthetic: checking")

    for change in (suspend, account_close):
        answer, changed = _registration_racing(world, monkeypatch, change)

        assert changed is True, f"{change.__name__} failed: {changed!r}"
        assert answer.status_code in (200, 403), (
            f"{change.__name__}: the registration answered {answer.status_code}"
        )
        User.objects.filter(pk=world.alice.pk).update(suspended_at=None)
    assert not WebAuthnCredential.objects.filter(user=world.alice).exists()  # the closure removed any


def test_a_passkey_sent_after_the_reset_is_refused_and_not_kept(world):
    client, body = _alice_adding_a_passkey(world)
    assert mfa_reset(user=User.objects.get(pk=world.alice.pk), by=world.lena)

    answer = _post_json(client, REGISTER_COMPLETE, body)

    assert answer.status_code in (400, 403), answer.status_code
    assert not WebAuthnCredential.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.PasskeyRegistered).exists()


AUTH_BEGIN = reverse("accounts:passkey_authentication_begin")
AUTH_COMPLETE = reverse("accounts:passkey_authentication_complete")


def test_a_passkey_sign_in_as_the_la_team_resets_the_second_factor_signs_nobody_in(world, monkeypatch):
    """The sign-in side (as session 26 found for an authenticator app's code): the passkey was read and its
    signature checked, the reset committed, and recording the passkey's use found its row gone, a 500."""
    totp_device(world.alice)
    authenticator = SoftAuthenticator()
    registering = signed_in(world.alice)
    assert (
        _post_json(
            registering,
            REGISTER_COMPLETE,
            authenticator.create(_post_json(registering, REGISTER_BEGIN, {}).json()),
        ).status_code
        == 200
    )
    alice = Client(raise_request_exception=False)
    assert (
        alice.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD}).status_code == 302
    )
    assertion = authenticator.get(_post_json(alice, AUTH_BEGIN, {}).json())

    answer, reset = paused_for(
        monkeypatch,
        django_otp_webauthn.helpers,
        "verify_authentication_response",
        read=lambda: _post_json(alice, AUTH_COMPLETE, assertion),
        write=lambda: mfa_reset(user=User.objects.get(pk=world.alice.pk), by=world.lena),
    )

    assert reset is MfaReset.LINK_SENT
    assert answer.status_code != 500, "a passkey sign-in as the factors were reset was a server error"
    # Refused as a passkey not found; the session, ended by the reset, answers as any request whose
    # session was ended meanwhile (Django's 400) once the page's own touch of it cannot be saved.
    assert answer.status_code in (400, 404), answer.status_code
    assert not AuditEvent.objects.filter(tag=AuditTag.PasskeyVerified).exists()
    assert AuditEvent.objects.filter(tag=AuditTag.PasskeyFailed, actor=world.alice).exists()
    assert alice.get(reverse("children:search"))["Location"].startswith(reverse("accounts:login"))
