"""Which local authority the refusal page points to when a person is refused something about a child.

It names the LA holding the child (and its team's contacts) only to someone refused on that child itself
whose role finds children nationally by search (practitioners, override holders, LA teams) and who may
identify the child (their search found it, they recorded an involvement with it, or it is their LA team's:
review, session 37): they would learn the child's LA from a search anyway, and need to know whom to ask.
Anyone else
(a refusal by role or vetting, or a data manager, administrator or auditor, who cannot search) is pointed
to their own LA team: a child id must not tell them which LA holds the child, or that it exists.
"""

import uuid
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from access.http import denied
from access.permissions import Permission
from access.policy import Decision
from accounts.models import Role
from children.models import Child, RecordStatus
from children.records import InvolvementDetails
from children.search import SearchCriteria, child_search
from children.services import involvement_record
from tests.journeys import signed_in, state_purpose
from tests.other_la import EAST
from tests.other_la import east_child as _east_child
from tests.other_la import main_content as _main
from tests.other_la import refusal_reason as _reason
from tests.personas import make_user


def _refusal(user, decision: Decision, action: Permission, child_id: uuid.UUID) -> HttpResponse:
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    return denied(request, decision, action=action, child_id=child_id)


def _refusal_page(user, decision: Decision, action: Permission, child: Child) -> str:
    response = _refusal(user, decision, action, child.pk)
    assert response.status_code == 403
    return _main(response.content.decode())


def test_a_refusal_by_role_never_names_the_childs_la_even_when_given_the_child(world):
    """Defence for any page that looks the child up before the role: the page still says nothing of it."""
    child = _east_child(world)
    page = _refusal_page(world.dara, Decision(False, "role_not_permitted"), Permission.ChildView, child)
    assert EAST not in page
    assert "This record belongs to" not in page
    assert world.north.name in page  # Dara's own LA team is whom to ask


def test_a_refusal_for_lapsed_vetting_never_names_the_childs_la(world):
    child = _east_child(world)
    page = _refusal_page(world.sam, Decision(False, "suspended"), Permission.ChildView, child)
    assert EAST not in page
    assert "This record belongs to" not in page


def test_a_refusal_to_someone_signed_out_never_names_the_childs_la(world):
    child = _east_child(world)
    page = _refusal_page(AnonymousUser(), Decision(False, "not_signed_in"), Permission.ChildView, child)
    assert EAST not in page


def test_a_data_manager_given_another_las_live_record_by_id_is_answered_as_no_record(world):
    child = _east_child(world)
    response = signed_in(world.dara).get(reverse("lifecycle:archived_record", args=[child.pk]))
    assert response.status_code == 404
    page = _main(response.content.decode())
    assert EAST not in page and "Noah" not in page and "This record belongs to" not in page


def test_a_data_manager_given_another_las_archived_record_by_id_is_answered_as_no_record(world):
    child = _east_child(world)
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    response = signed_in(world.dara).get(reverse("lifecycle:archived_record", args=[child.pk]))
    assert response.status_code == 404
    page = _main(response.content.decode())
    assert EAST not in page and "Noah" not in page and "This record belongs to" not in page


def _found_by_search(user) -> None:
    child_search(criteria=SearchCriteria("Begum", date_of_birth=date(2015, 3, 4)), fetched_by=user)


def test_a_practitioner_refused_another_las_shielded_record_is_told_which_la_holds_it(world):
    """The right role, refused on a record they found by search: whom to ask is the holding LA's team (as
    the record says)."""
    child = _east_child(world, shielded=True)
    _found_by_search(world.alice)
    response = signed_in(world.alice).get(reverse("children:involvement_new", args=[child.pk]))
    assert response.status_code == 403
    page = _main(response.content.decode())
    assert _reason(page) == "shielded"
    assert f"This record belongs to {EAST}, not your local authority." in page
    assert "la-e@example.org" in page


def test_a_practitioner_who_may_not_identify_the_child_is_not_told_which_la_holds_it(world):
    """Review, session 37: by id alone (never found by search, never involved) a refusal names no LA, says
    nothing of the record, and points to the person's own LA team."""
    child = _east_child(world, shielded=True)
    client = signed_in(world.alice)
    state_purpose(client, child)
    response = client.get(reverse("children:involvement_new", args=[child.pk]))
    assert response.status_code == 403
    page = _main(response.content.decode())
    assert _reason(page) == "not_found_by_search"
    assert EAST not in page and "This record belongs to" not in page and "shielded" not in page
    assert world.north.name in page


def test_an_la_team_refused_another_las_childs_audit_is_told_which_la_holds_it(world):
    child = _east_child(world)
    _found_by_search(world.lena)
    response = signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk]))
    assert response.status_code == 403
    page = _main(response.content.decode())
    assert _reason(page) == "other_la"
    assert f"This record belongs to {EAST}" in page
    assert "Noah" not in page and "Begum" not in page


def test_an_la_team_given_another_las_childs_audit_by_id_alone_is_not_told_which_la_holds_it(world):
    child = _east_child(world)
    response = signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk]))
    assert response.status_code == 403
    page = _main(response.content.decode())
    assert _reason(page) == "not_found_by_search"
    assert EAST not in page and "This record belongs to" not in page
    assert "Noah" not in page and "Begum" not in page


def test_a_practitioner_refused_an_archived_record_is_not_told_which_la_holds_it(world):
    """No search finds an archived record: its LA is not what a search would have told them, so the
    refusal (to a practitioner involved with the child before, who may know it) points to their own LA
    team. (A past search alone no longer lets an id tell that a record was archived: session 37.)"""
    child = _east_child(world)
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            practitioner_name="Alice Example",
            role="Social worker",
            organisation_id=world.alice.organisation_id,
        ),
    )
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    response = signed_in(world.alice).get(reverse("children:purpose", args=[child.pk]))
    assert response.status_code == 403
    page = _main(response.content.decode())
    assert _reason(page) == RecordStatus.ARCHIVED
    assert EAST not in page
    assert "This record belongs to" not in page
    assert world.north.name in page


@pytest.mark.parametrize(
    ("status", "found_before"),
    [(RecordStatus.ARCHIVED, False), (RecordStatus.CLOSED, False), (RecordStatus.CLOSED, True)],
)
def test_an_archived_or_closed_record_answers_as_no_record_to_whoever_may_not_identify_it(
    world, status, found_before
):
    """Review, session 37: an archived record's id, to someone who may not identify it, and a closed
    one's, to anyone but the LA team holding it (a search before the closure included), answers as an id
    that never existed: the record's state is what a kept id must not tell."""
    child = _east_child(world)
    if found_before:
        _found_by_search(world.alice)
    Child.objects.filter(pk=child.pk).update(status=status)
    client = signed_in(world.alice)
    response = client.get(reverse("children:purpose", args=[child.pk]))
    made_up = client.get(reverse("children:purpose", args=[uuid.uuid4()]))
    assert response.status_code == made_up.status_code == 404
    assert _main(response.content.decode()) == _main(made_up.content.decode())


def test_a_refusal_about_a_record_deleted_since_answers_as_no_record(world):
    """A refusal rendered once the record is gone (merged away or purged in between) says nothing of it."""
    child = _east_child(world, shielded=True)
    page = _refusal_page(world.alice, Decision(False, "shielded"), Permission.InvolvementRecord, child)
    assert _reason(page) == "not_found_by_search"
    Child.objects.filter(pk=child.pk).delete()
    response = _refusal(world.alice, Decision(False, "shielded"), Permission.InvolvementRecord, child.pk)
    assert response.status_code == 404


def test_a_holder_without_a_child_protection_duty_is_told_so_whatever_the_child(world):
    """A refusal about the person (their organisation's kind) says nothing of the child: told as it is."""
    child = _east_child(world, shielded=True)
    holder = make_user("owen", world.north_school, Role.OVERRIDE_HOLDER)
    page = _refusal_page(
        holder, Decision(False, "no_child_protection_duty"), Permission.ShieldOverride, child
    )
    assert _reason(page) == "no_child_protection_duty"
    assert EAST not in page and "This record belongs to" not in page


def test_a_refusal_to_someone_with_no_organisation_never_names_the_childs_la(world):
    """Review, session 26: an account without an organisation fails the vetting (`no_organisation`): the
    page names no LA and points to no team, and is no server error."""
    child = _east_child(world)
    alice = world.alice
    alice.organisation = None
    page = _refusal_page(alice, Decision(False, "no_organisation"), Permission.ChildView, child)
    assert EAST not in page and world.north.name not in page
    assert "This record belongs to" not in page
    assert "contact your local authority ContactPoint team" in page
