"""A second-factor reset of an account whose organisation has closed, or lost its accreditation, emails no
link, and the team page says so.

The reset removed the password and emailed a link to choose a new one; but a closed organisation's link
does not open (`_invitation_closed_because`, a 404), and nobody of an unaccredited organisation may use
the service, so the page's "We have emailed them a link ... it works once, for 24 hours" was not true.
The factors and the password still go (the reset is asked for when a device is lost), as for a suspended
account; nothing is emailed.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, SealedTOTPDevice, User
from accounts.services import MfaReset, mfa_reset
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in, totp_device
from tests.pages import rendered

pytestmark = pytest.mark.django_db


def _closed(world) -> None:
    Organisation.objects.filter(pk=world.north_social_care.pk).update(closed_on=timezone.localdate())


def _de_accredited(world) -> None:
    Organisation.objects.filter(pk=world.north_social_care.pk).update(accredited_on=None)


def test_a_reset_of_an_account_whose_organisation_closed_emails_no_link(world):
    totp_device(world.alice)
    _closed(world)
    mail.outbox.clear()

    outcome = mfa_reset(user=User.objects.get(pk=world.alice.pk), by=world.lena)

    assert outcome is MfaReset.ORGANISATION_CLOSED
    assert not mail.outbox
    assert not SealedTOTPDevice.objects.filter(user=world.alice).exists()
    assert not User.objects.get(pk=world.alice.pk).has_usable_password()
    assert AuditEvent.objects.filter(tag=AuditTag.MfaReset).count() == 1


def test_a_reset_of_an_account_whose_organisation_closes_later_still_emails_its_link(world):
    Organisation.objects.filter(pk=world.north_social_care.pk).update(
        closed_on=timezone.localdate() + timedelta(days=7)
    )
    mail.outbox.clear()

    assert mfa_reset(user=world.alice, by=world.lena) is MfaReset.LINK_SENT
    assert [m.to for m in mail.outbox] == [[world.alice.email]]


def test_a_reset_of_an_account_whose_organisation_lost_its_accreditation_emails_no_link(world):
    totp_device(world.alice)
    _de_accredited(world)
    mail.outbox.clear()

    outcome = mfa_reset(user=User.objects.get(pk=world.alice.pk), by=world.lena)

    assert outcome is MfaReset.ORGANISATION_NOT_ACCREDITED
    assert not mail.outbox
    assert not SealedTOTPDevice.objects.filter(user=world.alice).exists()


def test_the_team_page_says_no_link_was_sent_to_a_closed_organisations_account(world):
    totp_device(world.alice)
    client = signed_in(world.lena)
    _closed(world)
    mail.outbox.clear()

    response = client.post(
        reverse("team:reset_mfa", args=[world.alice.pk]), {"confirmed": "yes"}, follow=True
    )

    page = rendered(response, heading="Alice Example")
    assert "This account&#x27;s organisation has closed: no link was sent" in page
    assert "We have emailed them a link" not in page
    assert not mail.outbox


def test_the_team_page_says_no_link_was_sent_to_an_unaccredited_organisations_account(world):
    totp_device(world.alice)
    client = signed_in(world.lena)
    _de_accredited(world)

    response = client.post(
        reverse("team:reset_mfa", args=[world.alice.pk]), {"confirmed": "yes"}, follow=True
    )

    page = rendered(response, heading="Alice Example")
    assert "This account&#x27;s organisation is not accredited: no link was sent" in page
    assert "We have emailed them a link" not in page
