"""A practice, school or service cannot be turned into a national body (nor a national body into one).

A national body belongs to no LA. Changing a service's kind to "National body" on the edit page took
its practitioners out of every LA at once: their LA team could no longer suspend, reinstate or close
them (`other_la`), the system administrator may not either (`not_nationally_managed`: practitioners are
their LA team's), and their misuse alerts (`oversight.misuse`) reached nobody. As for a local authority,
the kind of a national body is fixed: a new entry is added instead.
"""

import pytest
from django.urls import reverse

from accounts.models import Organisation, OrganisationKind
from administration.tests.support import administrator, organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.pages import rendered

REFUSED = "A national body cannot become another kind of organisation, nor another kind a national body"


def test_a_service_with_practitioners_cannot_be_made_a_national_body(world):
    team = world.north_social_care  # alice, sam and tom work here
    client = signed_in(administrator(world))
    data = organisation_form(world, kind="national", name=team.name, code=team.code, local_authority="")
    page = rendered(
        client.post(reverse("administration:organisation_edit", args=[team.pk]), data),
        heading=f"Change {team.name}",
    )
    assert REFUSED in page
    team.refresh_from_db()
    assert (team.kind, team.local_authority_id) == (OrganisationKind.SOCIAL_CARE, world.north.pk)
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).exists()
    # Their LA team still looks after them.
    assert signed_in(world.lena).get(reverse("team:user", args=[world.alice.pk])).status_code == 200


@pytest.mark.parametrize("kind", ["school", "la"])
def test_a_national_body_cannot_be_made_another_kind(world, kind):
    national = world.nadia.organisation
    client = signed_in(administrator(world))
    data = organisation_form(world, kind=kind, name=national.name, code=national.code)
    response = client.post(reverse("administration:organisation_edit", args=[national.pk]), data)
    assert response.status_code == 200
    assert Organisation.objects.get(pk=national.pk).kind == OrganisationKind.NATIONAL


def _closed_la() -> Organisation:
    from datetime import date

    return Organisation.objects.create(
        kind=OrganisationKind.LOCAL_AUTHORITY,
        name="Westmoor Council",
        code="LA-W",
        accredited_on=date(2020, 1, 1),
        closed_on=date(2026, 1, 1),
    )


def test_a_service_cannot_be_moved_into_nor_added_to_a_closed_local_authority(world):
    """A closed LA has no team able to act (its staff are refused): a practice moved into it leaves its
    practitioners with nobody who may suspend or close them, and their alerts in a queue nobody reads."""
    westmoor = _closed_la()
    client = signed_in(administrator(world))
    gp = world.north_gp
    moved = client.post(
        reverse("administration:organisation_edit", args=[gp.pk]),
        organisation_form(world, kind="gp", name=gp.name, code=gp.code, local_authority=str(westmoor.pk)),
    )
    assert "Select local authority" in rendered(moved, heading=f"Change {gp.name}")
    assert Organisation.objects.get(pk=gp.pk).local_authority_id == world.north.pk
    added = client.post(
        reverse("administration:organisation_new"), organisation_form(world, local_authority=str(westmoor.pk))
    )
    assert "Select local authority" in rendered(added, heading="Add an organisation")
    assert not Organisation.objects.filter(code="URN-777001").exists()
    assert not AuditEvent.objects.filter(
        tag__in=[AuditTag.OrganisationUpdated, AuditTag.OrganisationCreated]
    ).exists()


def test_an_entry_already_in_a_closed_local_authority_can_still_be_corrected(world):
    westmoor = _closed_la()
    school = Organisation.objects.create(
        kind=OrganisationKind.SCHOOL, name="Westmoor High", code="URN-W1", local_authority=westmoor
    )
    client = signed_in(administrator(world))
    data = organisation_form(
        world,
        name="Westmoor High School",
        code="URN-W1",
        local_authority=str(westmoor.pk),
        accredited_day="",
        accredited_month="",
        accredited_year="",
    )
    assert client.post(reverse("administration:organisation_edit", args=[school.pk]), data).status_code == 302
    assert Organisation.objects.get(pk=school.pk).name == "Westmoor High School"
