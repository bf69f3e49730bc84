"""The invitation forms offer only organisations accredited today, as the account's creation judges them.

The creation refuses an organisation not accredited today (`accounts.services.organisation_held_in`,
`OrganisationCutOff`), but the form offered any organisation with an accreditation date, a later one too:
an LA team choosing an organisation accredited from next week was offered it, then told "This organisation
is no longer accredited" (it never was), and could never invite anyone to it from the page that offered it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Organisation, Role, User
from administration.forms import NationalInviteForm
from team.forms import InviteForm
from tests.invitations import invitation_form
from tests.personas import make_user

pytestmark = pytest.mark.django_db


def _accredited_from_next_week(organisation: Organisation) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(
        accredited_on=timezone.localdate() + timedelta(days=7)
    )


def test_the_la_teams_form_does_not_offer_an_organisation_accredited_from_a_later_day(world):
    _accredited_from_next_week(world.north_social_care)
    form = InviteForm(
        invitation_form(organisation=world.north_social_care.pk),
        local_authority_id=world.north.pk,
        inviter=world.lena,
    )

    assert str(world.north_social_care.pk) not in dict(form.fields["organisation"].choices)
    assert not form.is_valid()
    assert "no longer accredited" not in str(form.errors)
    assert not User.objects.filter(username="ivy").exists()


def test_the_administrators_form_does_not_offer_an_la_accredited_from_a_later_day(world):
    _accredited_from_next_week(world.south)
    administrator = make_user("simon", world.nadia.organisation, Role.SYSTEM_ADMIN)
    form = NationalInviteForm(
        invitation_form(organisation=world.south.pk, role="la_team"), inviter=administrator
    )

    assert str(world.south.pk) not in dict(form.fields["organisation"].choices)
    assert not form.is_valid()


def test_an_organisation_accredited_today_is_still_offered(world):
    Organisation.objects.filter(pk=world.north_social_care.pk).update(accredited_on=timezone.localdate())
    form = InviteForm(
        invitation_form(organisation=world.north_social_care.pk),
        local_authority_id=world.north.pk,
        inviter=world.lena,
    )

    assert form.is_valid(), form.errors
    assert form.invite() is not None
