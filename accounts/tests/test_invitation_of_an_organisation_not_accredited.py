"""An invitation does not open while the organisation of the account, or of whoever made it, is not
accredited today, as a new link for it is not sent then.

Taking an organisation's accreditation away (or moving it to a later day) refuses its staff from that day
(`access.policy`, `organisation_not_accredited`), and a new invitation link for one of them is refused
(`InvitationResend.ORGANISATION_NOT_ACCREDITED`: nobody there may use the service); the link sent before
still set a password and signed the user agreement. The link now reads the organisation as the resend
and the vetting do (`accounts.vetting.organisation_refusal`: not accredited first, then closed), refused
and audited as the other reasons. Once accredited again it opens, within its day, as after a suspension
lifted.
"""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, Role, User
from accounts.services import InvitationResend, invitation_resend
from accounts.tests.invitations import ACCEPT, ivy_invited
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.personas import make_user


def _opens(token: str) -> bool:
    page = Client().get(reverse("accounts:invitation", args=[token]))
    return page.status_code == 200 and "agree to the ContactPoint user agreement" in page.content.decode()


def _accepted(token: str, ivy: User) -> bool:
    Client().post(reverse("accounts:invitation", args=[token]), ACCEPT)
    ivy.refresh_from_db()
    return ivy.has_usable_password() or ivy.agreement_signed_on is not None


def _refusals() -> set[str]:
    return {e.additional["reason"] for e in AuditEvent.objects.filter(tag=AuditTag.InvitationRefused)}


def _accredited(organisation: Organisation, on: object) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(accredited_on=on)


def test_the_invitation_of_an_account_whose_organisation_lost_its_accreditation_sets_no_password(world):
    ivy, token = ivy_invited(world)
    _accredited(world.north_social_care, None)
    assert invitation_resend(user=ivy, by=world.lena) is InvitationResend.ORGANISATION_NOT_ACCREDITED
    assert not _opens(token)
    assert not _accepted(token, ivy)
    assert _refusals() == {"organisation_not_accredited"}
    assert not AuditEvent.objects.filter(tag=AuditTag.InvitationAccepted).exists()


def test_an_accreditation_moved_to_a_later_day_stops_the_link_until_then(world):
    _, token = ivy_invited(world)
    _accredited(world.north_social_care, timezone.localdate() + timedelta(days=1))
    assert not _opens(token)
    assert _refusals() == {"organisation_not_accredited"}


def test_an_organisation_both_closed_and_not_accredited_is_read_as_not_accredited(world):
    """The vetting's order (`organisation_refusal`), as the resend reads it."""
    _, token = ivy_invited(world)
    Organisation.objects.filter(pk=world.north_social_care.pk).update(
        accredited_on=None, closed_on=timezone.localdate()
    )
    assert not _opens(token)
    assert _refusals() == {"organisation_not_accredited"}


def test_the_invitation_of_an_inviter_whose_organisation_lost_its_accreditation_sets_no_password(world):
    national = Organisation.objects.create(
        kind=OrganisationKind.NATIONAL,
        name="Synthetic National Body",
        code="NAT-9",
        accredited_on=timezone.localdate(),
    )
    administrator = make_user("ada", national, Role.SYSTEM_ADMIN)
    ivy, token = ivy_invited(world, by=administrator)
    _accredited(national, None)
    assert not _opens(token)
    assert not _accepted(token, ivy)
    assert _refusals() == {"inviter_organisation_not_accredited"}


def test_the_link_opens_again_once_the_organisation_is_accredited_again(world):
    ivy, token = ivy_invited(world)
    accredited_on = world.north_social_care.accredited_on
    _accredited(world.north_social_care, None)
    assert not _opens(token)
    _accredited(world.north_social_care, accredited_on)
    assert _opens(token)
    assert _accepted(token, ivy)
