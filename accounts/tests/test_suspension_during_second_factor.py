"""A suspension ends every session, also one renewing its key at the second factor at that moment
(PostgreSQL, two real requests).

Passing the second factor (at sign-in, or at step-up) gives the session a new key: Django inserts the new
session and deletes the old, then `accounts.services.session_key_renewed` moves the tracking row that
`sessions_end_all` reads. A suspension committed between the two read the old key only: the new session
was never deleted, and once the account was reinstated it carried on, signed in and verified, although
the suspension had "ended all their sessions at once" (docs/SECURITY.md).
"""

import threading

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

import accounts.mfa
from accounts.models import User
from accounts.services import account_reinstate, account_suspend
from tests.concurrency import postgresql_race, run_together
from tests.journeys import current_code, totp_device
from tests.personas import PASSWORD

pytestmark = postgresql_race()


def test_a_session_passing_its_second_factor_as_the_account_is_suspended_is_ended_too(world, monkeypatch):
    device = totp_device(world.alice)
    alice = Client(raise_request_exception=False)
    signed = alice.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert signed.status_code == 302
    code = current_code(device)

    # The suspension commits after the new key is made and before its tracking row is moved.
    renewing, suspended = threading.Event(), threading.Event()
    renewed = accounts.mfa.session_key_renewed

    def renewed_after_the_suspension(**kwargs):
        renewing.set()
        suspended.wait(timeout=10)
        return renewed(**kwargs)

    monkeypatch.setattr(accounts.mfa, "session_key_renewed", renewed_after_the_suspension)

    def work(i):
        if i == 0:
            return alice.post(reverse("accounts:mfa"), {"code": code})
        assert renewing.wait(timeout=10), "the second factor never reached the key renewal"
        try:
            return account_suspend(user=User.objects.get(pk=world.alice.pk), by=world.lena, reason="Misuse")
        finally:
            suspended.set()

    answer, _ = run_together(2, work)
    assert (answer.status_code, answer.get("Location", "")) == (302, reverse("accounts:login")), (
        f"the second factor passed as the account was suspended answered {answer.status_code} "
        f"{answer.get('Location', '')}, not the sign-in page"
    )

    left = [
        s.session_key
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(world.alice.pk)
    ]
    account_reinstate(user=User.objects.get(pk=world.alice.pk), by=world.lena)
    page = alice.get(reverse("children:search"))
    assert (len(left), page.status_code) == (0, 302), (
        f"{len(left)} of Alice's sessions outlived her suspension; reinstated, the search page answered "
        f"{page.status_code} to the session that was passing its second factor"
    )
    assert page["Location"].startswith(reverse("accounts:login"))
