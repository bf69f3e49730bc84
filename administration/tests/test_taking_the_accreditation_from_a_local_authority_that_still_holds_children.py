"""A local authority's accreditation cannot be taken away while children's records are allocated to it,
or organisations in it are open: the same rule as closing it.

Closing an LA that holds children is refused (test_closing_a_local_authority_that_still_holds_children):
from that day its team and data manager are refused, and nobody else shields, transfers or answers for its
children. Taking its accreditation away (the date cleared, or moved to a later day) on the edit page
refuses them in the same way (`organisation_not_accredited`) and was accepted: a break-glass on its
shielded child then alerted a team that could no longer sign in.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from access.permissions import Permission
from access.policy import decide
from accounts.models import Organisation, OrganisationKind, Role
from administration.forms import OrganisationForm
from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user

REFUSED = "cannot lose its accreditation while it holds children"


def _accredited(when: str) -> dict[str, str]:
    if when == "removed":
        return {"accredited_day": "", "accredited_month": "", "accredited_year": ""}
    later = timezone.localdate() + timedelta(days=30)
    return {
        "accredited_day": str(later.day),
        "accredited_month": str(later.month),
        "accredited_year": str(later.year),
    }


def _edit(client, la: Organisation, when: str):
    """The edit page as it shows the entry, with only the accreditation date changed."""
    data = {
        **OrganisationForm.initial_for(la),
        "version": OrganisationForm.version_of(la),
        **_accredited(when),
    }
    return client.post(reverse("administration:organisation_edit", args=[la.pk]), data)


@pytest.mark.parametrize("when", ["removed", "moved_to_a_later_day"])
def test_an_la_holding_childrens_records_keeps_its_accreditation_and_its_team_keeps_working(world, when):
    isla = make_child(world, la=world.south, given_names="Isla", family_name="Brennock")
    sue = make_user("sue", world.south, Role.LA_TEAM)
    Organisation.objects.filter(pk__in=[world.south_gp.pk, world.south_police.pk]).update(
        closed_on=date(2025, 6, 1)
    )
    client = signed_in(administrator(world))  # works at Northshire Council

    page = rendered(_edit(client, world.south, when), heading="Change Southborough Council")

    assert REFUSED in page
    world.south.refresh_from_db()
    assert world.south.accredited_on is not None and world.south.accredited_on <= timezone.localdate()
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).exists()
    sue.refresh_from_db()
    assert decide(actor=sue, action=Permission.ShieldSet, child=isla)


def test_an_la_with_open_organisations_keeps_its_accreditation(world):
    client = signed_in(administrator(world))  # Southborough's surgery and police are open
    page = rendered(_edit(client, world.south, "removed"), heading="Change Southborough Council")
    assert REFUSED in page
    world.south.refresh_from_db()
    assert world.south.accredited_on is not None


def test_an_la_that_holds_nothing_may_lose_its_accreditation(world):
    empty = Organisation.objects.create(
        kind=OrganisationKind.LOCAL_AUTHORITY,
        name="Eastmere Council",
        code="LA-E",
        accredited_on=date(2025, 1, 1),
    )
    response = _edit(signed_in(administrator(world)), empty, "removed")
    assert response.status_code == 302
    empty.refresh_from_db()
    assert empty.accredited_on is None
    [updated] = AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated)
    assert updated.additional["changed"] == ["accredited_on"]
