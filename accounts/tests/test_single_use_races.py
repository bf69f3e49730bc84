"""Single use under two real requests at once (PostgreSQL): a TOTP code and an invitation link.

Reproduced first by review (scratch_accounts); both failed before the device and invitation rows were locked.

Each test widens the window between "read" and "write" with a barrier inside the request (both requests
have read before either writes), the interleaving two app servers give by chance. A fix that locks the
row before reading makes the second request wait at the lock instead; the barrier then times out and
the requests run one after the other.
"""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

import accounts.views
from accounts.models import Invitation, Role, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import meeting_after, meeting_before, postgresql_race, run_together
from tests.invitations import CHECKED_YEAR
from tests.journeys import current_code, signed_in, totp_device
from tests.personas import PASSWORD, make_user

pytestmark = postgresql_race()


def test_one_totp_code_verifies_only_one_of_two_sessions_at_once(world, monkeypatch):
    """Someone holding Alice's password watches her type a code and posts it at the same moment: the
    code is single use, so only one of the two sessions may pass the second factor."""
    device = totp_device(world.alice)
    victim, attacker = Client(), Client()
    for client in (victim, attacker):
        assert (
            client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD}).status_code
            == 302
        )
    code = current_code(device)

    # Both requests have read the device's last used step before either records its own.
    monkeypatch.setattr(TOTP, "verify", meeting_after(TOTP.verify))
    clients = (victim, attacker)
    responses = run_together(2, lambda i: clients[i].post(reverse("accounts:mfa"), {"code": code}))

    passed = [r for r in responses if r.status_code == 302 and r["Location"] != reverse("accounts:mfa")]
    search_ok = [c.get(reverse("children:search")).status_code for c in clients]
    verified_events = AuditEvent.objects.filter(tag=AuditTag.MfaVerified, actor_id=world.alice.pk).count()
    assert (len(passed), search_ok.count(200), verified_events) == (1, 1, 1), (
        f"one code verified {len(passed)} sessions; search page 200 for {search_ok}; "
        f"{verified_events} mfa:verified events"
    )


def test_an_invitation_link_sets_a_password_once_even_when_posted_twice_at_once(world, monkeypatch):
    """The link works once: two submissions at once (or a stolen link raced against its owner) must not
    both be accepted, the second overwriting the password the first chose."""
    client = signed_in(world.lena)
    client.post(
        reverse("team:invite"),
        {
            "first_name": "Ivy",
            "last_name": "Example",
            "email": "ivy@example.org",
            "username": "ivy",
            "organisation": str(world.north_social_care.pk),
            "role": "practitioner",
            "background_check_day": "1",
            "background_check_month": "1",
            "background_check_year": CHECKED_YEAR,
            "training_day": "1",
            "training_month": "1",
            "training_year": "2026",
        },
    )
    token = re.search(r"/account/invitation/([\w-]+)/", mail.outbox[0].body).group(1)
    url = reverse("accounts:invitation", args=[token])

    # Both requests have found the invitation unused before either accepts it.
    monkeypatch.setattr(accounts.views, "invitation_accept", meeting_before(accounts.views.invitation_accept))
    passwords = ("owner's own passphrase 1234", "attacker's passphrase 5678")

    def work(i):
        data = {"password1": passwords[i], "password2": passwords[i], "agreement": "on"}
        return Client().post(url, data)

    responses = run_together(2, work)
    ivy = User.objects.get(username="ivy")
    accepted = [r.status_code for r in responses].count(302)
    events = AuditEvent.objects.filter(tag=AuditTag.InvitationAccepted, actor_id=ivy.pk).count()
    assert (accepted, events) == (1, 1), (
        f"the single-use link was accepted {accepted} times ({events} invitation:accepted events); "
        f"the password now is the {'attacker' if ivy.check_password(passwords[1]) else 'owner'}'s"
    )
    assert Invitation.objects.get(user=ivy).used_at is not None


def test_one_totp_code_never_verifies_two_sessions_released_together(world):
    doubled = 0
    for attempt in range(10):
        user = make_user(f"racer{attempt}", world.north_social_care, Role.PRACTITIONER)
        device = totp_device(user)
        clients = (Client(), Client())
        for client in clients:
            client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
        data = {"code": current_code(device)}
        responses = run_together(2, lambda i, c=clients, d=data: c[i].post(reverse("accounts:mfa"), d))
        if [r.status_code for r in responses].count(302) == 2:
            doubled += 1
    assert doubled == 0, f"in {doubled} of 10 races one TOTP code verified two sessions"
