"""An LA's code is not changed because the form was checked before its first child was allocated.

The code of an LA holding children's records is fixed (feeds allocate each child they send by it:
test_an_la_code_that_feeds_allocate_children_by), but the edit page asked whether it held any when the form
was checked, before the write locked the LA's row, and never again: a child a feed allocated to it in
between did not count, and the code changed under the record. The write now asks again under the LA's row
lock (a child's allocation holds that row as it writes), and refuses in the same words.
"""

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Organisation, OrganisationKind, Role, User
from administration.forms import OrganisationForm
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import World, make_child, make_user

REFUSED = "The code of a local authority cannot change once children"


def _eastshire() -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.LOCAL_AUTHORITY,
        name="Eastshire Council",
        code="LA-E",
        accredited_on=date(2020, 1, 1),
    )


def _administrator(world: World) -> User:
    national = world.nadia.organisation
    assert national is not None
    return make_user("otto", national, Role.SYSTEM_ADMIN)


def _code_changed(client: Any, la: Organisation) -> Any:
    data = {**OrganisationForm.initial_for(la), "version": OrganisationForm.version_of(la), "code": "LA-EX"}
    return client.post(reverse("administration:organisation_edit", args=[la.pk]), data)


def _assert_refused(response: Any, la: Organisation) -> None:
    assert REFUSED in rendered(response, heading="Change Eastshire Council")
    la.refresh_from_db()
    assert la.code == "LA-E"
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).exists()


@pytest.mark.django_db
def test_a_child_allocated_after_the_form_was_checked_keeps_the_las_code(world, monkeypatch):
    eastshire = _eastshire()  # holds no child when the form is checked
    checked = OrganisationForm.is_valid

    def checked_then_child_allocated(form: OrganisationForm) -> bool:
        valid = checked(form)
        monkeypatch.setattr(OrganisationForm, "is_valid", checked)  # once
        make_child(world, la=eastshire)
        return valid

    monkeypatch.setattr(OrganisationForm, "is_valid", checked_then_child_allocated)
    response = _code_changed(signed_in(_administrator(world)), eastshire)

    _assert_refused(response, eastshire)
    assert Child.objects.filter(local_authority=eastshire).count() == 1


@pytest.mark.django_db
def test_an_la_still_holding_no_child_at_the_write_takes_the_new_code(world):
    eastshire = _eastshire()
    response = _code_changed(signed_in(_administrator(world)), eastshire)
    assert response.status_code == 302
    eastshire.refresh_from_db()
    assert eastshire.code == "LA-EX"


def _racing(test: Any) -> Any:
    for mark in postgresql_race("PostgreSQL only: the child is allocated on another session"):
        test = mark(test)
    return test


@_racing
def test_a_child_allocated_on_another_session_after_the_form_was_checked_keeps_the_las_code(
    world, monkeypatch
):
    eastshire = _eastshire()
    client = signed_in(_administrator(world))

    # The form has found no child in Eastshire when one is allocated there and committed.
    response, _ = paused_for(
        monkeypatch,
        OrganisationForm,
        "is_valid",
        read=lambda: _code_changed(client, eastshire),
        write=lambda: make_child(world, la=eastshire),
    )
    monkeypatch.undo()

    _assert_refused(response, eastshire)
