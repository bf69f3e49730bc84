"""An organisation closed, or its accreditation taken, between the invitation form's check and the
account's creation takes no account.

The form offers only accredited, open organisations (`InviteForm.offer_organisations`), but the account
was created in whatever state the organisation was in by then: `organisation_held_in` held its row and
judged only its LA. An account made in an organisation nobody may use ContactPoint from could never be
used (the LA team's and the administrator's invitations alike). Now the organisation as held is judged
open and accredited too; refused as the form's error, nothing created.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Organisation, User
from administration.forms import NationalInviteForm
from tests.invitations import invitation_form, north_invitation_checked

pytestmark = pytest.mark.django_db


def test_an_organisation_closed_after_the_form_checked_it_takes_no_account(world):
    form = north_invitation_checked(world)
    Organisation.objects.filter(pk=world.north_social_care.pk).update(closed_on=timezone.localdate())

    assert form.invite() is None

    assert form.errors["organisation"] == ["This organisation has closed: choose another"]
    assert not User.objects.filter(username="ivy").exists()


def test_an_organisation_de_accredited_after_the_form_checked_it_takes_no_account(world):
    form = north_invitation_checked(world)
    Organisation.objects.filter(pk=world.north_social_care.pk).update(accredited_on=None)

    assert form.invite() is None

    assert form.errors["organisation"] == ["This organisation is no longer accredited: choose another"]
    assert not User.objects.filter(username="ivy").exists()


def test_an_organisation_due_to_close_later_still_takes_the_account(world):
    form = north_invitation_checked(world)
    Organisation.objects.filter(pk=world.north_social_care.pk).update(
        closed_on=timezone.localdate() + timedelta(days=7)
    )

    assert form.invite() is not None
    assert User.objects.get(username="ivy").organisation_id == world.north_social_care.pk


def test_the_administrators_invitation_to_an_la_closed_meanwhile_takes_no_account(world):
    admin = _administrator(world)
    form = NationalInviteForm(
        invitation_form(
            organisation=world.south.pk, role="la_team", username="nell", email="nell@example.org"
        ),
        inviter=admin,
    )
    assert form.is_valid(), form.errors
    Organisation.objects.filter(pk=world.south.pk).update(closed_on=timezone.localdate())

    assert form.invite() is None

    assert form.errors["organisation"] == ["This organisation has closed: choose another"]
    assert not User.objects.filter(username="nell").exists()


def _administrator(world) -> User:
    from accounts.models import OrganisationKind, Role
    from tests.personas import make_user

    national = Organisation.objects.create(
        kind=OrganisationKind.NATIONAL,
        name="ContactPoint Service",
        code="NAT-ADMIN",
        accredited_on=world.north.accredited_on,
    )
    return make_user("adam", national, Role.SYSTEM_ADMIN)
