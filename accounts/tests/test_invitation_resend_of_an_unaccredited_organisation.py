"""No new invitation link goes to an account whose organisation has lost its accreditation.

A closed organisation's account was already refused a new link (`InvitationResend.ORGANISATION_CLOSED`);
one whose organisation was de-accredited (not closed) was sent one, though nobody there may use the
service (`accounts.vetting`: `organisation_not_accredited`). Refused the same way, in words, nothing sent
and nothing audited; once it is accredited again the link goes.
"""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Invitation, Organisation, User
from accounts.services import InvitationResend, invitation_address_correct, invitation_resend
from accounts.tests.invitations import ivy_invited
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.pages import rendered

pytestmark = pytest.mark.django_db


def _de_accredited(world) -> None:
    Organisation.objects.filter(pk=world.north_social_care.pk).update(accredited_on=None)


def test_no_new_link_goes_to_an_account_whose_organisation_lost_its_accreditation(world):
    ivy, _ = ivy_invited(world)
    hash_before = Invitation.objects.get(user=ivy).token_hash
    _de_accredited(world)
    mail.outbox.clear()

    outcome = invitation_resend(user=User.objects.get(pk=ivy.pk), by=world.lena)

    assert outcome is InvitationResend.ORGANISATION_NOT_ACCREDITED
    assert not mail.outbox
    assert Invitation.objects.get(user=ivy).token_hash == hash_before
    assert not AuditEvent.objects.filter(tag=AuditTag.InvitationResent).exists()


def test_no_corrected_address_is_taken_for_an_account_whose_organisation_lost_its_accreditation(world):
    ivy, _ = ivy_invited(world)
    _de_accredited(world)
    mail.outbox.clear()

    outcome = invitation_address_correct(
        user=User.objects.get(pk=ivy.pk), by=world.lena, email="ivy.corrected@example.org"
    )

    assert outcome is InvitationResend.ORGANISATION_NOT_ACCREDITED
    assert not mail.outbox
    assert User.objects.get(pk=ivy.pk).email == "ivy@example.org"


def test_the_team_page_says_no_link_was_sent_as_the_organisation_is_not_accredited(world):
    ivy, _ = ivy_invited(world)
    client = signed_in(world.lena)
    _de_accredited(world)
    mail.outbox.clear()

    response = client.post(reverse("team:resend_invitation", args=[ivy.pk]), follow=True)

    page = rendered(response, heading="Ivy Example")
    assert "This account&#x27;s organisation is not accredited: nothing was sent" in page
    assert "A new invitation link has been sent" not in page
    assert not mail.outbox


def test_the_link_goes_once_the_organisation_is_accredited_again(world):
    ivy, _ = ivy_invited(world)
    accredited_on = Organisation.objects.get(pk=world.north_social_care.pk).accredited_on
    _de_accredited(world)
    assert invitation_resend(user=ivy, by=world.lena) is InvitationResend.ORGANISATION_NOT_ACCREDITED
    Organisation.objects.filter(pk=world.north_social_care.pk).update(accredited_on=accredited_on)
    mail.outbox.clear()

    assert invitation_resend(user=ivy, by=world.lena) is InvitationResend.SENT
    assert [m.to for m in mail.outbox] == [["ivy@example.org"]]
