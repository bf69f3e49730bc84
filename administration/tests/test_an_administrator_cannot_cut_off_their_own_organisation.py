"""An administrator cannot close, or take the accreditation from, the organisation their own account
belongs to.

Either cuts off every account of that organisation at the next request, the administrator's own and
every colleague's in it (`organisation_closed`, `organisation_not_accredited`), and no page reopens a
closed organisation. Where the administrators work for one national body, one click left nobody to
administer ContactPoint. As for their own account (`own_account_national`), another administrator, of
another organisation, must do it.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, Role
from administration.tests.support import administrator, organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user

CLOSE_REFUSED = "You cannot close the organisation your own account belongs to"
ACCREDITATION_REFUSED = "You cannot take the accreditation from the organisation your own account belongs to"


def test_an_administrator_cannot_close_their_own_organisation(world):
    national = world.nadia.organisation
    simon = make_user("simon", national, Role.SYSTEM_ADMIN)
    client = signed_in(simon)
    page = client.get(reverse("administration:organisation", args=[national.pk]) + "?confirm=close")
    assert "Yes, close this organisation" not in page.content.decode()
    response = client.post(
        reverse("administration:organisation_close", args=[national.pk]), {"confirmed": "yes"}, follow=True
    )
    national.refresh_from_db()
    assert national.closed_on is None
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationClosed).exists()
    shown = response.content.decode()
    assert "Important" in shown and CLOSE_REFUSED in shown
    # Still signed in and able to administer.
    assert client.get(reverse("administration:home")).status_code == 200


def test_another_administrator_of_another_organisation_may_close_it(world):
    national = world.nadia.organisation
    client = signed_in(administrator(world, "sally"))  # works at Northshire Council
    response = client.post(
        reverse("administration:organisation_close", args=[national.pk]), {"confirmed": "yes"}
    )
    assert response.status_code == 302
    national.refresh_from_db()
    assert national.closed_on == timezone.localdate()


@pytest.mark.parametrize(
    "accredited",
    [
        {"accredited_day": "", "accredited_month": "", "accredited_year": ""},
        {"future": "yes"},
    ],
    ids=["removed", "moved_to_a_later_day"],
)
def test_an_administrator_cannot_take_the_accreditation_from_their_own_organisation(world, accredited):
    national = world.nadia.organisation
    simon = make_user("simon", national, Role.SYSTEM_ADMIN)
    client = signed_in(simon)
    if "future" in accredited:
        later = timezone.localdate() + timedelta(days=30)
        accredited = {
            "accredited_day": str(later.day),
            "accredited_month": str(later.month),
            "accredited_year": str(later.year),
        }
    data = organisation_form(
        world, kind="national", name=national.name, code=national.code, local_authority="", **accredited
    )
    response = client.post(reverse("administration:organisation_edit", args=[national.pk]), data)
    page = rendered(response, heading=f"Change {national.name}")
    assert ACCREDITATION_REFUSED in page
    national.refresh_from_db()
    assert national.accredited_on is not None and national.accredited_on <= timezone.localdate()
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).exists()
    assert client.get(reverse("administration:home")).status_code == 200


def test_an_administrator_may_still_change_their_own_organisations_other_details(world):
    national = world.nadia.organisation
    client = signed_in(make_user("simon", national, Role.SYSTEM_ADMIN))
    data = organisation_form(
        world,
        kind="national",
        name=national.name,
        code=national.code,
        local_authority="",
        phone="0113 496 0777",
        accredited_day=str(national.accredited_on.day),
        accredited_month=str(national.accredited_on.month),
        accredited_year=str(national.accredited_on.year),
    )
    assert (
        client.post(reverse("administration:organisation_edit", args=[national.pk]), data).status_code == 302
    )
    assert Organisation.objects.get(pk=national.pk).phone == "0113 496 0777"
