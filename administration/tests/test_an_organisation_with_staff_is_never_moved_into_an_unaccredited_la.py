"""An organisation with open accounts, or misuse alerts waiting about its staff, is never moved into a
local authority that is not accredited today.

An LA not accredited (or accredited only from a later day) has its team refused
(`organisation_not_accredited`). Moved there, a practice's practitioners kept searching while nobody could
suspend or close them (the new LA's team refused, the administrator refused: they are an LA's to manage),
and `alerts_follow_staff` took their waiting misuse alerts out of the old team's queue into one nobody may
read. The form refuses the move in words, and the save judges it again under the locks it takes for the
closed-LA check (the LA held, the organisation locked), so an LA de-accredited, or an account opened in the
organisation, after the form was checked changes nothing either.

Still allowed (docs/DECISIONS.md, "Accreditation": an LA not accredited may be given organisations while it
is being set up): adding an organisation, and moving one with no open account and no waiting alert.
"""

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from access.permissions import Permission
from access.policy import decide
from accounts.models import Organisation, OrganisationKind, Role, User
from administration.forms import LA_NOT_ACCREDITED_STAFFED, OrganisationForm
from administration.tests.support import administrator, organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from oversight.services import alert_acknowledge, alert_raise
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import World, make_child, make_user

REFUSED = "this local authority is not accredited today"


def _westmoor(accredited_on: date | None = None) -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.LOCAL_AUTHORITY,
        name="Westmoor Council",
        code="LA-W",
        accredited_on=accredited_on,
    )


def _move(world: World, organisation: Organisation, into: Organisation, **changes: str) -> Any:
    data = organisation_form(
        world,
        kind=organisation.kind,
        name=organisation.name,
        code=organisation.code,
        local_authority=str(into.pk),
        **changes,
    )
    client = signed_in(administrator(world))
    return client.post(reverse("administration:organisation_edit", args=[organisation.pk]), data)


def _not_moved(world: World, organisation: Organisation, response: Any) -> None:
    assert REFUSED in rendered(response, heading=f"Change {organisation.name}")
    assert Organisation.objects.get(pk=organisation.pk).local_authority_id == world.north.pk
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.AlertsFollowed).exists()


def test_the_refusal_says_why_in_words():
    assert REFUSED in LA_NOT_ACCREDITED_STAFFED
    assert not LA_NOT_ACCREDITED_STAFFED.endswith(".")


@pytest.mark.parametrize("accredited", ["never", "from_a_later_day"])
def test_an_organisation_with_open_accounts_is_not_moved_into_an_la_not_accredited_today(world, accredited):
    later = timezone.localdate() + timedelta(days=30)
    westmoor = _westmoor(None if accredited == "never" else later)
    team = world.north_social_care  # alice works here
    _not_moved(world, team, _move(world, team, westmoor))
    # Her own LA's team still looks after her.
    assert decide(actor=world.lena, action=Permission.AccountManage, subject=world.alice)


def test_a_suspended_account_counts_as_open(world):
    """Only a team may reinstate or close it: suspended is not closed."""
    westmoor = _westmoor()
    gp = world.north_gp
    make_user("gina", gp, suspended_at=timezone.now())
    _not_moved(world, gp, _move(world, gp, westmoor))


def test_an_organisation_whose_accounts_are_closed_but_whose_misuse_alerts_wait_is_not_moved_there(world):
    """The waiting alerts would follow into a queue nobody may read (`alerts_follow_staff`)."""
    westmoor = _westmoor()
    gp = world.north_gp
    gina = make_user("gina", gp, is_active=False)
    waiting = alert_raise(local_authority=world.north, kind=AlertKind.OWN_SURNAME_SEARCH, raised_by=gina)
    _not_moved(world, gp, _move(world, gp, westmoor))
    assert Alert.objects.get(pk=waiting.pk).local_authority_id == world.north.pk
    assert decide(actor=world.lena, action=Permission.AlertView, alert=waiting)


def test_an_organisation_with_no_open_account_and_no_waiting_alert_may_be_moved_there(world):
    """Its closed accounts and acknowledged alerts stay where they were dealt with: nothing is left to
    nobody."""
    westmoor = _westmoor()
    gp = world.north_gp
    gina = make_user("gina", gp, is_active=False)
    dealt_with = alert_raise(local_authority=world.north, kind=AlertKind.OWN_SURNAME_SEARCH, raised_by=gina)
    alert_acknowledge(alert=dealt_with, by=world.lena)
    assert _move(world, gp, westmoor).status_code == 302
    assert Organisation.objects.get(pk=gp.pk).local_authority_id == westmoor.pk
    assert Alert.objects.get(pk=dealt_with.pk).local_authority_id == world.north.pk


def test_an_organisation_may_be_added_to_an_la_not_accredited(world):
    westmoor = _westmoor()
    client = signed_in(administrator(world))
    data = organisation_form(world, local_authority=str(westmoor.pk))
    assert client.post(reverse("administration:organisation_new"), data).status_code == 302
    assert Organisation.objects.get(code="URN-777001").local_authority_id == westmoor.pk


def test_an_organisation_with_staff_may_be_moved_into_an_accredited_la(world):
    eastshire = _westmoor(date(2020, 1, 1))
    team = world.north_social_care
    assert _move(world, team, eastshire).status_code == 302
    assert Organisation.objects.get(pk=team.pk).local_authority_id == eastshire.pk


def test_an_entry_already_in_an_la_not_accredited_is_still_saved_there(world):
    """No move: its details can still be corrected (the staff are there already)."""
    westmoor = _westmoor()
    team = world.north_social_care
    Organisation.objects.filter(pk=team.pk).update(local_authority=westmoor)
    response = _move(world, team, westmoor, phone="0113 496 0999")
    assert response.status_code == 302
    assert Organisation.objects.get(pk=team.pk).phone == "0113 496 0999"


def _after_the_check(monkeypatch: Any, then: Any) -> None:
    checked = OrganisationForm.is_valid

    def checked_then(form: OrganisationForm) -> bool:
        valid = checked(form)
        monkeypatch.setattr(OrganisationForm, "is_valid", checked)  # once
        then()
        return valid

    monkeypatch.setattr(OrganisationForm, "is_valid", checked_then)


def test_an_la_whose_accreditation_was_taken_after_the_form_was_checked_receives_no_staffed_organisation(
    world, monkeypatch
):
    eastshire = _westmoor(date(2020, 1, 1))
    team = world.north_social_care

    def taken() -> None:
        Organisation.objects.filter(pk=eastshire.pk).update(accredited_on=None)

    _after_the_check(monkeypatch, taken)
    _not_moved(world, team, _move(world, team, eastshire))


def test_an_account_opened_after_the_form_was_checked_keeps_the_organisation_where_it_is(world, monkeypatch):
    westmoor = _westmoor()
    gp = world.north_gp
    _after_the_check(monkeypatch, lambda: make_user("gina", gp))
    _not_moved(world, gp, _move(world, gp, westmoor))
    assert decide(
        actor=world.lena, action=Permission.AccountManage, subject=User.objects.get(username="gina")
    )


def _racing(test: Any) -> Any:
    for mark in postgresql_race("PostgreSQL only: the accreditation is taken on another session"):
        test = mark(test)
    return test


@_racing
def test_an_accreditation_taken_on_another_session_after_the_form_was_checked_keeps_the_practice_out(
    world, monkeypatch
):
    """The move's write holds the LA (FOR KEY SHARE) and reads its accreditation as committed then: an
    edit taking it (which locks the LA FOR UPDATE) either committed before, and is read, or waits."""
    eastshire = _westmoor(date(2020, 1, 1))
    team = world.north_social_care
    national = world.nadia.organisation
    moving = signed_in(make_user("otto", national, Role.SYSTEM_ADMIN))
    taking = signed_in(make_user("ada", national, Role.SYSTEM_ADMIN))

    def moved() -> Any:
        data = organisation_form(
            world, kind=team.kind, name=team.name, code=team.code, local_authority=str(eastshire.pk)
        )
        return moving.post(reverse("administration:organisation_edit", args=[team.pk]), data)

    def taken() -> int:
        la = Organisation.objects.get(pk=eastshire.pk)
        data = {
            **OrganisationForm.initial_for(la),
            "version": OrganisationForm.version_of(la),
            "accredited_day": "",
            "accredited_month": "",
            "accredited_year": "",
        }
        return taking.post(reverse("administration:organisation_edit", args=[la.pk]), data).status_code

    response, took = paused_for(monkeypatch, OrganisationForm, "is_valid", read=moved, write=taken)
    monkeypatch.undo()

    assert took == 302
    assert Organisation.objects.get(pk=eastshire.pk).accredited_on is None
    assert REFUSED in rendered(response, heading=f"Change {team.name}")
    assert Organisation.objects.get(pk=team.pk).local_authority_id == world.north.pk


@pytest.mark.parametrize("kind", [AlertKind.SHIELD_OVERRIDE, AlertKind.CLOSED_RECORD_TRIED])
def test_an_alert_about_a_child_waiting_does_not_keep_the_organisation_from_moving(world, kind):
    """An alert about a child (break-glass, a closed record tried) stays with the LA holding the child
    (`oversight.models.CHILD_ALERT_KINDS`, as `alerts_follow_staff` leaves it): nothing would follow into
    the new LA's queue, so it does not refuse the move."""
    westmoor = _westmoor()
    gp = world.north_gp
    gina = make_user("gina", gp, is_active=False)
    child = make_child(world)
    waiting = alert_raise(local_authority=world.north, kind=kind, raised_by=gina, child_id=child.pk)
    assert _move(world, gp, westmoor).status_code == 302
    assert Organisation.objects.get(pk=gp.pk).local_authority_id == westmoor.pk
    assert Alert.objects.get(pk=waiting.pk).local_authority_id == world.north.pk
