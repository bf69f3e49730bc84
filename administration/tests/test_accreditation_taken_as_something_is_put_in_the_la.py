"""An LA's accreditation is not taken away because the form was checked before a colleague put something in it.

The edit page refuses to take the accreditation from an LA that holds children's records or open
organisations (test_taking_the_accreditation_from_a_local_authority_that_still_holds_children), but it
counted them when the form was checked, before the write locked the LA's row, and never again: a practice
added to the LA (or a child transferred to it) by a colleague in between was not counted, and the LA lost
its accreditation with its team refused and the practice's staff left with nobody to suspend them. The
close counts as committed under the row lock (test_an_organisation_put_in_a_local_authority_closing_
meanwhile); taking the accreditation now counts again there too, and refuses in the same words.
"""

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Organisation, OrganisationKind, Role, User
from administration.forms import OrganisationForm
from administration.tests.support import organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import World, make_user

REFUSED = "cannot lose its accreditation while it holds children"


def _eastshire() -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.LOCAL_AUTHORITY,
        name="Eastshire Council",
        code="LA-E",
        accredited_on=date(2020, 1, 1),
    )


def _admins(world: World) -> tuple[User, User]:
    national = world.nadia.organisation
    assert national is not None
    return make_user("ada", national, Role.SYSTEM_ADMIN), make_user("otto", national, Role.SYSTEM_ADMIN)


def _accreditation_taken(client: Any, la: Organisation) -> Any:
    data = {
        **OrganisationForm.initial_for(la),
        "version": OrganisationForm.version_of(la),
        "accredited_day": "",
        "accredited_month": "",
        "accredited_year": "",
    }
    return client.post(reverse("administration:organisation_edit", args=[la.pk]), data)


@pytest.mark.django_db
def test_a_practice_added_after_the_form_was_checked_keeps_the_la_accredited(world, monkeypatch):
    eastshire = _eastshire()  # holds nothing when the form is checked
    ada, otto = _admins(world)
    checked = OrganisationForm.is_valid

    def checked_then_practice_added(form: OrganisationForm) -> bool:
        valid = checked(form)
        monkeypatch.setattr(OrganisationForm, "is_valid", checked)  # once
        added = signed_in(ada).post(
            reverse("administration:organisation_new"),
            organisation_form(world, local_authority=str(eastshire.pk)),
        )
        assert added.status_code == 302
        return valid

    monkeypatch.setattr(OrganisationForm, "is_valid", checked_then_practice_added)
    response = _accreditation_taken(signed_in(otto), eastshire)

    assert REFUSED in rendered(response, heading="Change Eastshire Council")
    eastshire.refresh_from_db()
    assert eastshire.accredited_on == date(2020, 1, 1)
    assert Organisation.objects.filter(code="URN-777001", local_authority=eastshire).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).exists()


@pytest.mark.django_db
def test_an_la_still_holding_nothing_at_the_write_loses_its_accreditation(world):
    eastshire = _eastshire()
    _, otto = _admins(world)
    response = _accreditation_taken(signed_in(otto), eastshire)
    assert response.status_code == 302
    eastshire.refresh_from_db()
    assert eastshire.accredited_on is None


def _racing(test: Any) -> Any:
    for mark in postgresql_race("PostgreSQL only: the practice is added on another session"):
        test = mark(test)
    return test


@_racing
def test_a_practice_added_on_another_session_after_the_form_was_checked_keeps_the_la_accredited(
    world, monkeypatch
):
    eastshire = _eastshire()
    ada, otto = _admins(world)
    taking, adding = signed_in(otto), signed_in(ada)

    def practice_added() -> int:
        data = organisation_form(world, local_authority=str(eastshire.pk))
        return adding.post(reverse("administration:organisation_new"), data).status_code

    # Otto's form has counted nothing in Eastshire when Ada's practice is added and committed.
    response, added = paused_for(
        monkeypatch,
        OrganisationForm,
        "is_valid",
        read=lambda: _accreditation_taken(taking, eastshire),
        write=practice_added,
    )
    monkeypatch.undo()

    assert added == 302
    assert REFUSED in rendered(response, heading="Change Eastshire Council")
    eastshire.refresh_from_db()
    assert eastshire.accredited_on == date(2020, 1, 1)
