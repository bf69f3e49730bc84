"""After an LA team resets a person's second factor, only the person's own mailbox lets them set up the next.

The reset removed every device and let the person "set up a new authenticator at next sign-in": anyone
holding the password alone (phished, guessed, shared) signed in, was shown a new secret and enrolled their
own authenticator, the account theirs from then on. The classic help-desk takeover: ring the LA team, say
the phone was lost. The reset now also removes the password and emails the person a single-use 24-hour
link (the invitation's) to choose a new one; the old password opens nothing, and the link is what the
person signs in with, and enrols, after.
"""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.forms import GENERIC_FAILURE
from accounts.models import Invitation, SealedTOTPDevice
from accounts.services import mfa_reset
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in, totp_device
from tests.pages import rendered
from tests.personas import PASSWORD

NEW_PASSWORD = "a long synthetic passphrase 93"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _reset(world) -> None:
    totp_device(world.alice)
    mail.outbox.clear()
    assert mfa_reset(user=world.alice, by=world.lena)


def _link_token() -> str:
    [message] = mail.outbox
    found = re.search(r"/account/invitation/([\w-]+)/", str(message.body))
    assert found, "the email holds no link"
    return found.group(1)


def test_after_a_reset_the_old_password_alone_signs_in_to_nothing_and_enrols_nothing(world):
    _reset(world)
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    page = rendered(response, heading="Sign in to ContactPoint")
    assert GENERIC_FAILURE in page
    assert client.get(reverse("accounts:mfa_enrol"))["Location"].startswith(reverse("accounts:login"))
    assert not SealedTOTPDevice.objects.filter(user=world.alice).exists()


def test_the_reset_emails_the_person_a_link_to_choose_a_new_password_and_then_they_enrol(world):
    _reset(world)
    [message] = mail.outbox
    assert message.to == [world.alice.email]
    assert "Alice" not in str(message.body) and "Example" not in str(message.body)
    token = _link_token()
    client = Client()
    rendered(client.get(reverse("accounts:invitation", args=[token])), heading="Choose a new password")
    accept = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "agreement": "on"}
    assert client.post(reverse("accounts:invitation", args=[token]), accept).status_code == 302
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:mfa"))["Location"] == reverse("accounts:mfa_enrol")
    # Single use: the link opens nothing once the password is chosen.
    refused = Client().get(reverse("accounts:invitation", args=[token]))
    assert refused.status_code == 404


def test_the_reset_and_its_new_link_are_audited(world):
    _reset(world)
    invitation = Invitation.objects.get(user=world.alice)
    [reset] = AuditEvent.objects.filter(tag=AuditTag.MfaReset)
    assert reset.actor == world.lena
    assert reset.additional["user_id"] == world.alice.pk
    assert reset.additional["invitation_id"] == invitation.pk


def test_the_team_page_says_a_link_was_emailed(world):
    totp_device(world.alice)
    client = signed_in(world.lena)
    response = client.post(
        reverse("team:reset_mfa", args=[world.alice.pk]), {"confirmed": "yes"}, follow=True
    )
    page = rendered(response, heading="Alice Example")
    assert "We have emailed them a link to choose a new password" in page
    assert "Invited" in page  # the account waits for its link, and a new one can be sent from here


def test_the_team_page_says_so_when_the_email_could_not_be_sent(world, settings):
    settings.EMAIL_BACKEND = "team.tests.test_invitation_email_not_sent.DownMailServer"
    totp_device(world.alice)
    client = signed_in(world.lena)
    response = client.post(
        reverse("team:reset_mfa", args=[world.alice.pk]), {"confirmed": "yes"}, follow=True
    )
    page = rendered(response, heading="Alice Example")
    assert "the email with their link could not be sent" in page
    assert not SealedTOTPDevice.objects.filter(user=world.alice).exists()
