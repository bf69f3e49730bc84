"""The invitation of an account suspended before it was accepted does not open while the suspension lasts.

The LA team suspends an invited account (the email went to the wrong address, the person is under
investigation) to stop its use at once. The link still set a password and signed the agreement: whoever
held it then owned the account the day the suspension was lifted, and enrolled their own authenticator
at the first sign-in (the account had none yet).
"""

from django.test import Client
from django.urls import reverse

from accounts.services import (
    account_reinstate,
    account_suspend,
    invitation_accept,
    invitation_for_token,
)
from accounts.tests.invitations import ACCEPT, ivy_invited
from audit.models import AuditEvent
from audit.tags import AuditTag


def test_the_invitation_of_a_suspended_account_sets_no_password_and_is_audited(world):
    ivy, token = ivy_invited(world)
    account_suspend(user=ivy, by=world.lena, reason="Invitation sent to the wrong address")
    url = reverse("accounts:invitation", args=[token])

    page = Client().get(url)
    accepted = Client().post(url, ACCEPT)

    assert (page.status_code, accepted.status_code) == (404, 404)
    assert "This link has expired or has been used" in accepted.content.decode()
    ivy.refresh_from_db()
    assert not ivy.has_usable_password()
    assert ivy.agreement_signed_on is None
    assert not AuditEvent.objects.filter(tag=AuditTag.InvitationAccepted).exists()
    refused = AuditEvent.objects.filter(tag=AuditTag.InvitationRefused)
    # Once a minute per link and reason (test_invitation_refusals_cannot_flood_the_audit_log.py).
    assert [e.additional["reason"] for e in refused] == ["account_suspended"]
    assert all(e.additional["user_id"] == ivy.pk and e.actor is None for e in refused)


def test_the_invitation_opens_again_once_the_suspension_is_lifted_within_its_day(world):
    ivy, token = ivy_invited(world)
    account_suspend(user=ivy, by=world.lena, reason="Checking the address")
    account_reinstate(user=ivy, by=world.lena)

    accepted = Client().post(reverse("accounts:invitation", args=[token]), ACCEPT)

    assert accepted.status_code == 302
    ivy.refresh_from_db()
    assert ivy.check_password(ACCEPT["password1"])


def test_an_account_suspended_between_showing_the_form_and_sending_it_gets_no_password(world):
    ivy, token = ivy_invited(world)
    shown = invitation_for_token(token)
    assert shown is not None
    account_suspend(user=ivy, by=world.lena, reason="Invitation sent to the wrong address")

    assert invitation_accept(invitation=shown, password=ACCEPT["password1"], agreement_signed=True) is None
    ivy.refresh_from_db()
    assert not ivy.has_usable_password()
