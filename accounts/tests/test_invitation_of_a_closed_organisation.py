"""An invitation does not open once the organisation of the account, or of whoever made it, is closed.

Closing an organisation refuses its staff from that day (`access.policy`, `organisation_closed`), and a
closed organisation is no longer offered for invitations; a link sent the day before still set a
password and signed the user agreement for an account of the closed organisation. Likewise an inviter
whose organisation closed can do nothing more, as one suspended or closed since (session 25): the
account they had just made opened for a day all the same. Refused and audited as the other reasons.
"""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.directory import organisation_close
from accounts.models import Organisation, OrganisationKind, Role, User
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


def _administrator() -> User:
    national = Organisation.objects.create(
        kind=OrganisationKind.NATIONAL,
        name="Synthetic National Body",
        code="NAT-9",
        accredited_on=timezone.localdate(),
    )
    return make_user("ada", national, Role.SYSTEM_ADMIN)


def test_the_invitation_of_an_account_whose_organisation_closed_sets_no_password(world):
    ivy, token = ivy_invited(world)
    organisation_close(organisation=world.north_social_care, by=_administrator())
    assert not _opens(token)
    assert not _accepted(token, ivy)
    assert _refusals() == {"organisation_closed"}
    assert not AuditEvent.objects.filter(tag=AuditTag.InvitationAccepted).exists()


def test_the_invitation_of_an_inviter_whose_organisation_closed_sets_no_password(world):
    administrator = _administrator()
    ivy, token = ivy_invited(world, by=administrator)
    organisation_close(
        organisation=administrator.organisation,
        by=make_user("bea", administrator.organisation, Role.SYSTEM_ADMIN),
    )
    assert not _opens(token)
    assert not _accepted(token, ivy)
    assert _refusals() == {"inviter_organisation_closed"}


def test_an_organisation_closing_on_a_later_day_leaves_the_invitation_open(world):
    ivy, token = ivy_invited(world)
    world.north_social_care.closed_on = timezone.localdate() + timedelta(days=1)
    world.north_social_care.save(update_fields=["closed_on"])
    assert _opens(token)
    assert _accepted(token, ivy)
