"""An email address the form accepts must fit its column (254 characters, Django's `EmailField`).

The form's `EmailField` allows 320 characters and SQLite stores anything, but PostgreSQL refuses a
longer value than the column: an address of 255 to 320 characters passed the form and ended in a
server error at the insert (the invitation, the manager's address, an organisation's address). Each is
now refused by the form with a clear error, and nothing is stored.
"""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Organisation, Role, User
from administration.tests.support import administrator, organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from team.tests.test_team import INVITE
from tests.journeys import signed_in
from tests.pages import rendered

# 259 characters: a valid address by Django's validator (at most 320), longer than the column (254).
OVERLONG = "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "example.org"


def _no_server_errors(client):
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("field", ["email", "manager_email"])
def test_an_la_teams_invitation_with_an_overlong_address_is_refused_clearly_and_makes_no_account(
    world, field
):
    assert len(OVERLONG) == 259
    client = _no_server_errors(signed_in(world.lena))
    response = client.post(
        reverse("team:invite"), {**INVITE, "organisation": str(world.north_social_care.pk), field: OVERLONG}
    )
    assert response.status_code == 200, f"answered {response.status_code}"
    page = rendered(response, heading="Invite a user")
    assert "must be 254 characters or fewer" in page
    assert not User.objects.filter(username="ivy").exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountInvited).exists()
    assert mail.outbox == []


@pytest.mark.parametrize("field", ["email", "manager_email"])
def test_a_national_invitation_with_an_overlong_address_is_refused_clearly_and_makes_no_account(world, field):
    client = _no_server_errors(signed_in(administrator(world)))
    data = {
        **INVITE,
        "username": "nell",
        "role": Role.NATIONAL_AUDITOR,
        "organisation": str(world.nadia.organisation.pk),
        field: OVERLONG,
    }
    response = client.post(reverse("administration:account_invite"), data)
    assert response.status_code == 200, f"answered {response.status_code}"
    assert "must be 254 characters or fewer" in response.content.decode()
    assert not User.objects.filter(username="nell").exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountInvited).exists()


def test_an_organisation_with_an_overlong_address_is_refused_clearly_and_not_added_nor_changed(world):
    client = _no_server_errors(signed_in(administrator(world)))
    added = client.post(reverse("administration:organisation_new"), organisation_form(world, email=OVERLONG))
    assert added.status_code == 200, f"answered {added.status_code}"
    assert "must be 254 characters or fewer" in added.content.decode()
    assert not Organisation.objects.filter(code="URN-777001").exists()

    school = world.north_school
    changed = client.post(
        reverse("administration:organisation_edit", args=[school.pk]),
        organisation_form(world, name=school.name, code=school.code, email=OVERLONG),
    )
    assert changed.status_code == 200, f"answered {changed.status_code}"
    school.refresh_from_db()
    assert school.email == "urn-1@example.org"
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).exists()
