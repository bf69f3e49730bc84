"""Putting an organisation in another LA never makes its LA team members (or data manager) another LA's.

An LA team member or data manager acts for the LA their organisation is in (`User.home_la_id`): the LA
itself, or one of its organisations (a team organisation of the LA, which the alert and brokering emails
serve: `accounts.directory.la_team_of`). Moving such an organisation to another LA on the edit page moved
those powers with it, unasked: the members became the new LA's team (its shielded children's locations,
its corrections, complaints and accounts) without its team or the system administrator inviting them,
and the old LA lost them. Practitioners' accounts still follow their organisation (their misuse alerts go
with them: test_misuse_alerts_follow_staff_moved_to_another_la); only an organisation holding open
accounts of the LA's own roles is refused, in words, and nothing is written.
"""

from typing import Any

import pytest
from django.urls import reverse

from access.policy import is_la_team_for
from accounts.models import Organisation, Role, User
from administration.tests.support import administrator, organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import World, make_child, make_user

REFUSED = "holds LA ContactPoint team or data manager accounts"


def _moved_to_south(world: World, organisation: Organisation) -> Any:
    data = organisation_form(
        world,
        kind=organisation.kind,
        name=organisation.name,
        code=organisation.code,
        local_authority=str(world.south.pk),
    )
    client = signed_in(administrator(world))
    return client.post(reverse("administration:organisation_edit", args=[organisation.pk]), data)


@pytest.mark.parametrize("role", [Role.LA_TEAM, Role.DATA_MANAGER])
def test_an_organisation_holding_an_la_team_member_is_not_moved_to_another_la(
    world: World, role: str
) -> None:
    team = world.north_social_care
    member = make_user("tessa", team, role)  # a team organisation of North holds their account
    south_child = make_child(world, la=world.south, shielded=True)

    response = _moved_to_south(world, team)

    assert REFUSED in rendered(response, heading=f"Change {team.name}")
    team.refresh_from_db()
    assert team.local_authority_id == world.north.pk
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).exists()
    stored = User.objects.select_related("organisation").get(pk=member.pk)
    assert stored.home_la_id == world.north.pk
    assert not is_la_team_for(stored, south_child)


def test_an_organisation_whose_la_team_account_is_closed_may_move(world: World) -> None:
    team = world.north_social_care
    make_user("tessa", team, Role.LA_TEAM, is_active=False)
    assert _moved_to_south(world, team).status_code == 302
    team.refresh_from_db()
    assert team.local_authority_id == world.south.pk


def test_an_organisation_of_practitioners_only_still_moves_and_its_practitioners_with_it(
    world: World,
) -> None:
    team = world.north_social_care  # alice, sam and tom: practitioners
    assert _moved_to_south(world, team).status_code == 302
    team.refresh_from_db()
    assert team.local_authority_id == world.south.pk
    assert User.objects.select_related("organisation").get(pk=world.alice.pk).home_la_id == world.south.pk
