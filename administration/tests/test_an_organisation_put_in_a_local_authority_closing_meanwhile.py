"""An organisation is never added to, or moved into, a local authority closed while the page was on its way.

The form offers open LAs only (a closed LA's team is refused, so a practice in it would leave its
practitioners with nobody who may suspend or close them, and their misuse alerts in a queue nobody
reads), but the choice was judged when the form was checked and never again: an LA closed by a colleague
a moment later still received the practice. And the close counts the LA's open organisations as
committed, while the organisation's reference to its LA is checked by the database only at commit: an
add or move still on its way was not counted, and the LA closed with an open practice in it. The write
now holds the chosen LA (FOR KEY SHARE, as feeds hold an LA they allocate a child to) and refuses one
closed by then; a close arriving meanwhile waits for the write, then counts the practice and refuses.
"""

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

import administration.organisations
from accounts.models import Organisation, OrganisationKind, Role, User
from administration.forms import OrganisationForm
from administration.tests.support import organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import WAITED, paused_for, postgresql_race, waiting_at_most
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import World, make_user

CLOSED_SINCE = "That local authority has been closed since you opened this page: select another"


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


def _post(world: World, client: Any, change: str, eastshire: Organisation) -> Any:
    if change == "new":
        data = organisation_form(world, local_authority=str(eastshire.pk))
        return client.post(reverse("administration:organisation_new"), data)
    gp = world.north_gp
    data = organisation_form(world, kind="gp", name=gp.name, code=gp.code, local_authority=str(eastshire.pk))
    return client.post(reverse("administration:organisation_edit", args=[gp.pk]), data)


def _in_eastshire(world: World, change: str) -> Organisation | None:
    if change == "new":
        return Organisation.objects.filter(code="URN-777001").first()
    gp = Organisation.objects.get(pk=world.north_gp.pk)
    return gp if gp.local_authority_id != world.north.pk else None


def _close(eastshire: Organisation, by: User) -> tuple[bool, bool, Organisation]:
    return administration.organisations._organisation_close_locked(eastshire, by, True)


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["new", "edit"])
def test_a_local_authority_closed_after_the_form_was_checked_receives_nothing(world, monkeypatch, change):
    eastshire = _eastshire()
    ada, otto = _admins(world)
    checked = OrganisationForm.is_valid

    def checked_then_closed(form: OrganisationForm) -> bool:
        valid = checked(form)
        monkeypatch.setattr(OrganisationForm, "is_valid", checked)  # once
        assert _close(Organisation.objects.get(pk=eastshire.pk), ada)[1]
        return valid

    monkeypatch.setattr(OrganisationForm, "is_valid", checked_then_closed)
    response = _post(world, signed_in(otto), change, eastshire)

    heading = "Add an organisation" if change == "new" else f"Change {world.north_gp.name}"
    assert CLOSED_SINCE in rendered(response, heading=heading)
    assert _in_eastshire(world, change) is None
    written = AuditEvent.objects.filter(tag__in=[AuditTag.OrganisationCreated, AuditTag.OrganisationUpdated])
    assert not written.exists()


@pytest.mark.django_db
def test_an_entry_already_in_a_closed_local_authority_is_still_saved_there(world):
    """Its own LA stays offered so the entry can be corrected (a move out, or its phone number)."""
    eastshire = _eastshire()
    _, otto = _admins(world)
    gp = world.north_gp
    Organisation.objects.filter(pk=gp.pk).update(local_authority=eastshire)
    Organisation.objects.filter(pk=eastshire.pk).update(closed_on=date(2026, 1, 1))
    data = organisation_form(
        world, kind="gp", name=gp.name, code=gp.code, local_authority=str(eastshire.pk), phone="0113 496 0999"
    )
    response = signed_in(otto).post(reverse("administration:organisation_edit", args=[gp.pk]), data)
    assert response.status_code == 302
    assert Organisation.objects.get(pk=gp.pk).phone == "0113 496 0999"


def _racing(test: Any) -> Any:
    for mark in postgresql_race("PostgreSQL only: the close runs on another session"):
        test = mark(test)
    return test


@_racing
@pytest.mark.parametrize(
    "change, written_by", [("new", "organisation_create"), ("edit", "organisation_update")]
)
def test_a_close_arriving_while_the_organisation_is_put_in_the_la_waits_and_then_counts_it(
    world, monkeypatch, change, written_by
):
    eastshire = _eastshire()
    ada, otto = _admins(world)
    client = signed_in(otto)
    # Otto's write has put the practice in Eastshire (not yet committed) when Ada's close arrives.
    response, closed = paused_for(
        monkeypatch,
        administration.organisations,
        written_by,
        read=lambda: _post(world, client, change, eastshire),
        write=waiting_at_most(lambda: _close(Organisation.objects.get(pk=eastshire.pk), ada)),
    )
    monkeypatch.undo()

    assert response.status_code == 302, response.status_code
    put = _in_eastshire(world, change)
    assert put is not None and put.local_authority_id == eastshire.pk
    eastshire.refresh_from_db()
    assert eastshire.closed_on is None, "the LA was closed with an open organisation put in it meanwhile"
    assert closed == WAITED
    # Once the write is committed, the close counts the practice and refuses.
    held, closing, _ = _close(eastshire, ada)
    assert (held, closing) == (True, False)
