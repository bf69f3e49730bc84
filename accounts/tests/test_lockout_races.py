"""The password limits hold against guesses sent at the same moment (PostgreSQL, real threads, Redis).

`login.user` allows 10 failures in 5 minutes. Counted only after the password check, it let through as
many guesses as arrived together: each request asked "fewer than 10 failures so far?" before any of
them had counted its own (an argon2id check takes a good fraction of a second in production, so a burst
from a botnet all passes the question). Each test widens that window with a barrier placed where the
password is checked (every request has passed the limit check before any is counted), the interleaving
many app servers give by chance. Counting the attempt before the check makes the requests past the
limit stop at it instead; the barrier then times out and the others go on alone.
"""

import copy
import threading

from django.contrib.auth import forms as auth_forms
from django.test import Client
from django.urls import reverse

import accounts.mfa
import accounts.views
from accounts.ratelimit import LOGIN_USER, MFA_USER, login_subject
from accounts.services import recovery_codes_issue
from accounts.stepup import REAUTH_KEY
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import meeting_before, postgresql_race, run_together
from tests.journeys import signed_in, totp_device
from tests.personas import PASSWORD

pytestmark = postgresql_race()

BURST = 16  # guesses sent at once; the limit is 10


def _counted(call, calls):
    lock = threading.Lock()

    def counting(*args, **kwargs):
        with lock:
            calls.append(1)
        return call(*args, **kwargs)

    return counting


def test_a_burst_of_password_guesses_at_once_checks_no_more_than_the_lockout_allows(
    world, redis_cache, monkeypatch
):
    """A botnet sends 16 guesses at Alice's password at the same moment, from 16 addresses: at most 10
    passwords may be checked, the rest refused unchecked, and the account is locked (even to the right
    password) afterwards."""
    checked: list[int] = []
    monkeypatch.setattr(
        auth_forms, "authenticate", meeting_before(_counted(auth_forms.authenticate, checked), count=BURST)
    )

    def guess(i):
        client = Client(raise_request_exception=False)
        return client.post(
            reverse("accounts:login"),
            {"username": "alice", "password": f"guess number {i} of many"},
            REMOTE_ADDR=f"10.44.0.{i + 1}",
        )

    responses = run_together(BURST, guess)

    throttled = sum("Too many attempts" in r.content.decode() for r in responses)
    failures = AuditEvent.objects.filter(tag=AuditTag.LoginFailed).count()
    # Refusals are audited once a minute per lock (the first; a minute boundary may fall in the burst).
    refused = AuditEvent.objects.filter(tag=AuditTag.LoginThrottled).count()
    assert (len(checked), failures, throttled, refused in (1, 2)) == (10, 10, BURST - 10, True), (
        f"{len(checked)} of {BURST} simultaneous guesses had their password checked ({failures} failures "
        f"audited), {throttled} were refused unchecked; the lockout allows 10"
    )
    assert LOGIN_USER.exceeded(login_subject(world.alice.username))
    later = Client().post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert "Too many attempts" in later.content.decode()


def test_a_burst_of_step_up_guesses_on_a_stolen_session_checks_no_more_than_the_lockout_allows(
    world, redis_cache, monkeypatch
):
    """Someone holding Lena's signed-in cookie, but not her password, sends 16 step-up attempts at once to
    unlock the account pages: at most 10 passwords may be checked before the session is ended."""
    checked: list[int] = []
    confirm = accounts.views._password_and_code_confirm
    monkeypatch.setattr(
        accounts.views, "_password_and_code_confirm", meeting_before(_counted(confirm, checked), count=BURST)
    )
    stolen = signed_in(world.lena, reauthenticated=False)
    thieves = []
    for _ in range(BURST):  # one browser each, all holding the stolen cookie
        thief = Client(raise_request_exception=False)
        thief.cookies = copy.deepcopy(stolen.cookies)
        thieves.append(thief)

    def guess(i):
        return thieves[i].post(
            reverse("accounts:reauthenticate"),
            {"password": f"guess number {i} of many", "code": "000000", "next": "/"},
            REMOTE_ADDR=f"10.45.0.{i + 1}",
        )

    run_together(BURST, guess)

    failures = AuditEvent.objects.filter(tag=AuditTag.ReauthenticationFailed, actor=world.lena).count()
    assert (len(checked), failures) == (10, 10), (
        f"{len(checked)} of {BURST} simultaneous step-up attempts had their password checked "
        f"({failures} failures audited); the lockout allows 10"
    )
    assert LOGIN_USER.exceeded(login_subject(world.lena.username))
    assert REAUTH_KEY not in stolen.session
    assert "_auth_user_id" not in stolen.session, "the session survived ten failed step-ups"


def test_a_burst_of_second_factor_guesses_checks_no_more_than_the_limit_allows(
    world, redis_cache, monkeypatch
):
    """Someone holding Alice's password, not her phone, opens 16 sessions and sends a recovery-code guess
    from each at the same moment: `mfa.user` allows 10 failures in 5 minutes, so at most 10 guesses may
    be checked (each costs a password hash per unused recovery code, 100 MiB apiece in production)."""
    totp_device(world.alice)
    recovery_codes_issue(user=world.alice)
    sessions = []
    for i in range(BURST):
        client = Client(raise_request_exception=False)
        signed = client.post(
            reverse("accounts:login"),
            {"username": "alice", "password": PASSWORD},
            REMOTE_ADDR=f"10.46.0.{i + 1}",
        )
        assert signed.status_code == 302
        sessions.append(client)
    checked: list[int] = []
    monkeypatch.setattr(
        accounts.mfa,
        "recovery_code_use",
        meeting_before(_counted(accounts.mfa.recovery_code_use, checked), count=BURST),
    )

    answers = run_together(
        BURST, lambda i: sessions[i].post(reverse("accounts:mfa"), {"code": f"ABCDE-{i:05d}"})
    )

    failures = AuditEvent.objects.filter(tag=AuditTag.MfaFailed, actor=world.alice).count()
    # Refusals are audited once a minute (test_mfa_refusals_cannot_flood_the_audit_log.py): counted by answer.
    refused = sum(accounts.views.MFA_THROTTLED in answer.content.decode() for answer in answers)
    assert AuditEvent.objects.filter(tag=AuditTag.MfaThrottled, actor=world.alice).exists()
    assert (len(checked), failures, refused) == (10, 10, BURST - 10), (
        f"{len(checked)} of {BURST} simultaneous second-factor guesses were checked ({failures} failures, "
        f"{refused} refused unchecked); the limit allows 10"
    )
    assert MFA_USER.exceeded(str(world.alice.pk))
