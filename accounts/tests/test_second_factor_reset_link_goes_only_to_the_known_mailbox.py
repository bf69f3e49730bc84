"""A second-factor reset's link reaches only the mailbox the person already proved theirs (reviewer's finding).

`mfa_reset` removes the password and emails a link to choose a new one, so that "only the person's mailbox
leads to the next factor". But the account then waits on its link as an invitation does, and the team
page offered "If their email address is wrong: correct the address and send a new link": the help-desk
caller who said the phone was lost could also say the address had changed, and the link (the whole
account) went to their mailbox. An account that was set up (its invitation accepted, the agreement
signed) has a proven address: its address is not corrected from the invitation's form, and nothing is
sent to a new one. A new link to the address it has is sent as before, worded as a password reset.

A suspended account's link would not open (`_invitation_closed_because`): its reset removes the factors
and the password but emails no link, and the team page says to send one once it is reinstated.
"""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Invitation, SealedTOTPDevice, User
from accounts.services import (
    InvitationResend,
    MfaReset,
    account_reinstate,
    account_suspend,
    invitation_address_correct,
    invitation_resend,
    mfa_reset,
)
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in, totp_device
from tests.pages import rendered

pytestmark = pytest.mark.django_db

NEW_ADDRESS = "someone.else@example.net"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def test_an_address_correction_after_a_reset_changes_nothing_and_sends_nothing(world):
    totp_device(world.alice)
    assert mfa_reset(user=world.alice, by=world.lena)
    mail.outbox.clear()

    outcome = invitation_address_correct(user=world.alice, by=world.lena, email=NEW_ADDRESS)

    assert outcome is InvitationResend.SET_UP_BEFORE
    assert User.objects.get(pk=world.alice.pk).email == world.alice.email
    assert not mail.outbox
    assert not AuditEvent.objects.filter(tag=AuditTag.InvitationAddressCorrected).exists()


def test_the_team_page_refuses_to_send_a_reset_link_to_a_new_address(world):
    totp_device(world.alice)
    client = signed_in(world.lena)
    client.post(reverse("team:reset_mfa", args=[world.alice.pk]), {"confirmed": "yes"})
    mail.outbox.clear()

    response = client.post(
        reverse("team:correct_invitation_address", args=[world.alice.pk]), {"email": NEW_ADDRESS}, follow=True
    )

    page = rendered(response, heading="Alice Example")
    assert "already set up: its email address was not changed and nothing was sent" in page
    assert not mail.outbox
    assert User.objects.get(pk=world.alice.pk).email == world.alice.email


def test_a_new_link_after_a_reset_goes_to_the_known_address_worded_as_a_password_reset(world):
    totp_device(world.alice)
    assert mfa_reset(user=world.alice, by=world.lena)
    mail.outbox.clear()

    assert invitation_resend(user=world.alice, by=world.lena) is InvitationResend.SENT

    [message] = mail.outbox
    assert message.to == [world.alice.email]
    assert "An account has been created for you" not in str(message.body)
    assert "Choose a new password" in str(message.body)
    assert re.search(r"/account/invitation/[\w-]+/", str(message.body))


def test_a_reset_of_a_suspended_account_emails_no_link_that_would_not_open(world):
    totp_device(world.alice)
    assert account_suspend(user=world.alice, by=world.lena, reason="synthetic reason")
    mail.outbox.clear()

    outcome = mfa_reset(user=User.objects.get(pk=world.alice.pk), by=world.lena)

    assert outcome is MfaReset.ACCOUNT_SUSPENDED
    assert not mail.outbox
    assert not SealedTOTPDevice.objects.filter(user=world.alice).exists()
    assert not User.objects.get(pk=world.alice.pk).has_usable_password()
    assert AuditEvent.objects.filter(tag=AuditTag.MfaReset).count() == 1
    # Once reinstated, the team sends the link from the account's page, to the address it has.
    account_reinstate(user=world.alice, by=world.lena)
    assert invitation_resend(user=world.alice, by=world.lena) is InvitationResend.SENT
    assert [m.to for m in mail.outbox] == [[world.alice.email]]


def test_the_team_page_says_a_suspended_accounts_link_is_sent_once_reinstated(world):
    totp_device(world.alice)
    assert account_suspend(user=world.alice, by=world.lena, reason="synthetic reason")
    client = signed_in(world.lena)

    response = client.post(
        reverse("team:reset_mfa", args=[world.alice.pk]), {"confirmed": "yes"}, follow=True
    )

    page = rendered(response, heading="Alice Example")
    assert "This account is suspended: no link was sent" in page
    assert "We have emailed them a link" not in page
    assert Invitation.objects.filter(user=world.alice, used_at__isnull=True).exists()
