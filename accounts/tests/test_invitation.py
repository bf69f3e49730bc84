"""The invitation link: it dies with its account, and a used or expired link presented again leaves a trace.

(A revoked feed token presented again is audited the same way, `feed:token:refused`.)
"""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.services import account_close
from accounts.tests.invitations import ACCEPT, ivy_invited
from audit.models import AuditEvent
from audit.tags import AuditTag


def _events_about(user: User) -> list[str]:
    return [
        e.tag
        for e in AuditEvent.objects.order_by("id")
        if e.actor_id == user.pk or (e.additional or {}).get("user_id") == user.pk
    ]


def test_the_invitation_of_an_account_closed_before_it_was_accepted_no_longer_opens(world):
    """The LA team invites Ivy, then closes the account (wrong person, left the job). The link in the
    email must stop working: closing gives the account an unusable password, and accepting the
    invitation must not give it a usable one again, sign the agreement or be audited as accepted."""
    ivy, token = ivy_invited(world)
    account_close(user=ivy, by=world.lena)
    url = reverse("accounts:invitation", args=[token])

    page = Client().get(url)
    accepted = Client().post(url, ACCEPT)

    ivy.refresh_from_db()
    assert not ivy.is_active
    assert (page.status_code, accepted.status_code) == (404, 404), (
        "closed account's invitation still opens: "
        f"GET {page.status_code} shows {'Create a password' in page.content.decode()!r} form; "
        f"POST {accepted.status_code}"
    )
    assert not ivy.has_usable_password()
    assert ivy.agreement_signed_on is None
    assert not AuditEvent.objects.filter(tag=AuditTag.InvitationAccepted, actor_id=ivy.pk).exists()


def test_a_used_invitation_link_presented_again_is_audited_against_its_account(world):
    ivy, token = ivy_invited(world)
    url = reverse("accounts:invitation", args=[token])
    assert Client().post(url, ACCEPT).status_code == 302
    before = _events_about(ivy)

    someone = Client()
    assert someone.get(url).status_code == 404
    assert someone.post(url, {**ACCEPT, "password1": "x" * 20, "password2": "x" * 20}).status_code == 404

    after = _events_about(ivy)
    assert len(after) > len(before), f"the reuse of Ivy's used invitation left no event: {after}"


def test_an_expired_invitation_link_presented_is_audited_against_its_account(world):
    ivy, token = ivy_invited(world)
    Invitation.objects.filter(user=ivy).update(expires_at=timezone.now() - timedelta(minutes=1))
    before = _events_about(ivy)
    assert Client().post(reverse("accounts:invitation", args=[token]), ACCEPT).status_code == 404
    after = _events_about(ivy)
    assert len(after) > len(before), f"the expired invitation presented left no event: {after}"
