"""An organisation put in another LA between the LA team's invitation form and the account's creation
takes no account from the old LA's team.

The form offers the team its own LA's organisations and checks the one chosen; the account was then
created in whatever LA that organisation was in by then. An administrator moving the organisation to
another LA at that moment (the directory's edit) left the old team having made an account in an LA it
does not manage (docs/DECISIONS.md section 19, Left: "the same LA-move gap, for a new account"). Now
the organisation is held, and its LA judged, in the account's own transaction.
"""

import pytest

from accounts.models import Organisation, User
from tests.invitations import north_invitation_checked

pytestmark = pytest.mark.django_db


def test_an_organisation_moved_to_another_la_after_the_form_checked_it_takes_no_account(world):
    form = north_invitation_checked(world)
    Organisation.objects.filter(pk=world.north_social_care.pk).update(local_authority=world.south)

    assert form.invite() is None

    assert form.errors["organisation"] == [
        "This organisation is no longer in your local authority: choose another"
    ]
    assert not User.objects.filter(username="ivy").exists()


def test_an_organisation_still_in_the_teams_la_takes_the_account(world):
    form = north_invitation_checked(world)
    invited = form.invite()
    assert invited is not None
    assert User.objects.get(username="ivy").organisation_id == world.north_social_care.pk
