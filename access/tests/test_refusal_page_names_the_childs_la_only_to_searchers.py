"""Which local authority the refusal page points to when a person is refused something about a child.

It names the LA holding the child (and its team's contacts) only to someone refused on that child itself
whose role finds children nationally by search (practitioners, override holders, LA teams): they can
learn the child's LA from a search or the record page anyway, and need to know whom to ask. Anyone else
(a refusal by role or vetting, or a data manager, administrator or auditor, who cannot search) is pointed
to their own LA team: a child id must not tell them which LA holds the child, or that it exists.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from access.http import denied
from access.permissions import Permission
from access.policy import Decision
from children.models import Child, RecordStatus
from tests.journeys import signed_in
from tests.other_la import EAST
from tests.other_la import east_child as _east_child
from tests.other_la import main_content as _main
from tests.other_la import refusal_reason as _reason


def _refusal_page(user, decision: Decision, action: Permission, child: Child) -> str:
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    response = denied(request, decision, action=action, child_id=child.pk)
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


def test_a_practitioner_refused_another_las_shielded_record_is_told_which_la_holds_it(world):
    """The right role, refused on the record: whom to ask is the holding LA's team (as the record says)."""
    child = _east_child(world, shielded=True)
    response = signed_in(world.alice).get(reverse("children:involvement_new", args=[child.pk]))
    assert response.status_code == 403
    page = _main(response.content.decode())
    assert _reason(page) == "shielded"
    assert f"This record belongs to {EAST}, not your local authority." in page
    assert "la-e@example.org" in page


def test_an_la_team_refused_another_las_childs_audit_is_told_which_la_holds_it(world):
    child = _east_child(world)
    response = signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk]))
    assert response.status_code == 403
    page = _main(response.content.decode())
    assert _reason(page) == "other_la"
    assert f"This record belongs to {EAST}" in page
    assert "Noah" not in page and "Begum" not in page


@pytest.mark.parametrize("status", [RecordStatus.ARCHIVED, RecordStatus.CLOSED])
def test_a_practitioner_refused_an_archived_or_closed_record_is_not_told_which_la_holds_it(world, status):
    """No search finds an archived or closed record (a closed one is a child's former identity): its
    LA is not what a search would have told them, so the refusal points to their own LA team."""
    child = _east_child(world)
    Child.objects.filter(pk=child.pk).update(status=status)
    response = signed_in(world.alice).get(reverse("children:purpose", args=[child.pk]))
    assert response.status_code == 403
    page = _main(response.content.decode())
    assert _reason(page) == status
    assert EAST not in page
    assert "This record belongs to" not in page
    assert world.north.name in page


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
