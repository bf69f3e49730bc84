"""An administrator whose own organisation is closed (or loses its accreditation) while their directory
change is on its way changes nothing; two administrators cutting off each other's organisations at once
leave one of them able to administer.

The directory pages judged the administrator by the policy at the start of the request; under the lock
only their account was read again (closed? suspended?), never their organisation. So Otto, of the
National Digital Service, still closed or changed an organisation a moment after Ada closed his own
(every account in it cut off, his included); and Otto and Ada, each closing (or de-accrediting) the
other's organisation at the same moment, both succeeded: no administrator could sign in any more, and no
page reopens a closed organisation (the very outcome "an administrator cannot cut off their own
organisation" was written to prevent). The writes now hold the administrator's organisation under a
lock, taken with the organisation changed in id order, and judge it again: closed or no longer
accredited, nothing is written and the page answers as the next request would, signed out.
"""

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

import administration.organisations
from accounts.directory import organisation_close
from accounts.models import Organisation, OrganisationKind, Role, User
from administration.tests.support import organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import meeting_after, postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import World, make_user

WRITTEN = [AuditTag.OrganisationClosed, AuditTag.OrganisationUpdated, AuditTag.OrganisationCreated]
CLOSED_SAID = "Your organisation has been closed on ContactPoint."


def _racing(test: Any) -> Any:
    for mark in postgresql_race("PostgreSQL only: two administrators on two sessions"):
        test = mark(test)
    return test


def _digital(world: World) -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.NATIONAL,
        name="National Digital Service",
        code="NAT-2",
        accredited_on=date(2020, 1, 1),
    )


def _admins(world: World) -> tuple[User, User]:
    """Ada works for National Audit (world.nadia's organisation), Otto for the National Digital Service."""
    national = world.nadia.organisation
    assert national is not None
    return make_user("ada", national, Role.SYSTEM_ADMIN), make_user(
        "otto", _digital(world), Role.SYSTEM_ADMIN
    )


def _national_edit(organisation: Organisation, **changes: str) -> dict[str, str]:
    return {
        "kind": "national",
        "name": organisation.name,
        "code": organisation.code,
        "local_authority": "",
        "accredited_day": "1",
        "accredited_month": "1",
        "accredited_year": "2020",
        **changes,
    }


def _requests(world: World) -> dict[str, tuple[str, dict[str, str]]]:
    gp = world.north_gp
    edit = {
        "kind": "gp",
        "name": "North Road Surgery (renamed)",
        "code": gp.code,
        "local_authority": str(world.north.pk),
        "accredited_day": "1",
        "accredited_month": "1",
        "accredited_year": "2020",
    }
    return {
        "close": (reverse("administration:organisation_close", args=[gp.pk]), {"confirmed": "yes"}),
        "edit": (reverse("administration:organisation_edit", args=[gp.pk]), edit),
        "new": (
            reverse("administration:organisation_new"),
            organisation_form(world, name="Otto's Academy", code="URN-OTTO"),
        ),
    }


def _refused_and_signed_out(client: Any, response: Any, person: User) -> None:
    assert response.status_code == 403, response.status_code
    assert CLOSED_SAID in response.content.decode()
    refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=person).get()
    assert refusal.additional["reason"] == "organisation_closed"
    assert "_auth_user_id" not in client.session


def _nothing_written_to_the_gp(world: World) -> None:
    world.north_gp.refresh_from_db()
    assert (world.north_gp.name, world.north_gp.closed_on) == ("North Road Surgery", None)
    assert not Organisation.objects.filter(code="URN-OTTO").exists()
    written = list(AuditEvent.objects.filter(tag__in=WRITTEN).values_list("tag", flat=True))
    assert written == [AuditTag.OrganisationClosed], written  # Ada's close of Otto's organisation only


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["close", "edit", "new"])
def test_an_administrator_whose_organisation_was_closed_after_the_policy_check_changes_nothing(
    world, monkeypatch, change
):
    ada, otto = _admins(world)
    client = signed_in(otto)
    client.raise_request_exception = False
    url, data = _requests(world)[change]
    checked = administration.organisations.step_up

    def checked_then_closed(request: Any) -> Any:
        answer = checked(request)
        monkeypatch.setattr(administration.organisations, "step_up", checked)  # once
        assert otto.organisation is not None
        organisation_close(organisation=Organisation.objects.get(pk=otto.organisation.pk), by=ada)
        return answer

    monkeypatch.setattr(administration.organisations, "step_up", checked_then_closed)
    response = client.post(url, data)
    _nothing_written_to_the_gp(world)
    _refused_and_signed_out(client, response, otto)


@_racing
@pytest.mark.parametrize("change", ["close", "deaccredit"])
def test_two_administrators_cutting_off_each_others_organisations_at_once_leave_one_able(
    world, monkeypatch, change
):
    ada, otto = _admins(world)
    people = [ada, otto]
    clients = [signed_in(ada), signed_in(otto)]
    for client in clients:
        client.raise_request_exception = False
    theirs = [otto.organisation, ada.organisation]  # each goes for the other's organisation
    # Both requests have passed the policy and the step-up before either writes.
    monkeypatch.setattr(
        administration.organisations, "step_up", meeting_after(administration.organisations.step_up)
    )

    def send(i: int) -> Any:
        target = theirs[i]
        assert target is not None
        if change == "close":
            url = reverse("administration:organisation_close", args=[target.pk])
            return clients[i].post(url, {"confirmed": "yes"})
        url = reverse("administration:organisation_edit", args=[target.pk])
        data = _national_edit(target, accredited_day="", accredited_month="", accredited_year="")
        return clients[i].post(url, data)

    responses = run_together(2, send)

    cut_off = [
        o.closed_on is not None or o.accredited_on is None
        for o in Organisation.objects.filter(pk__in=[ada.organisation_id, otto.organisation_id])
    ]
    assert cut_off.count(True) == 1, "both administrators' organisations were cut off: nobody can administer"
    refused = [i for i, response in enumerate(responses) if response.status_code == 403]
    assert len(refused) == 1, [response.status_code for response in responses]
    (loser,) = refused
    body = responses[loser].content.decode()
    reason = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=people[loser]).get().additional
    if change == "close":
        assert CLOSED_SAID in body and reason["reason"] == "organisation_closed"
        assert AuditEvent.objects.filter(tag=AuditTag.OrganisationClosed).count() == 1
    else:
        assert "Your organisation is not accredited" in body
        assert reason["reason"] == "organisation_not_accredited"
        assert AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).count() == 1
    assert "_auth_user_id" not in clients[loser].session
    winner = 1 - loser
    assert signed_in(people[winner]).get(reverse("administration:home")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["close", "edit", "new"])
def test_an_administrator_whose_organisation_stays_open_changes_as_before(world, change):
    _, otto = _admins(world)
    url, data = _requests(world)[change]
    response = signed_in(otto).post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEvent.objects.filter(tag__in=WRITTEN).count() == 1
