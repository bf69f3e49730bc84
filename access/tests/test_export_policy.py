"""Disclosure exports in the policy: the LA team that holds the children, two people, the asker downloads."""

from datetime import date

import pytest

from access.permissions import Permission
from access.policy import decide, disclosure_visibility
from accounts.models import Organisation, OrganisationKind, Role
from disclosure.services import export_request
from tests.personas import make_user

EXPORT_ACTIONS = [
    Permission.DisclosureExportRequest,
    Permission.DisclosureExportView,
    Permission.DisclosureExportDecide,
    Permission.DisclosureExportDownload,
]


@pytest.fixture
def export(world, child):
    return export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis="court_order",
        reference="CO-2026-118",
        children=[child],
        fields=["name"],
    )


def _reason(actor, action, export=None):
    decision = decide(actor=actor, action=action, export=export)
    return "allowed" if decision.allowed else decision.reason


@pytest.mark.parametrize("action", EXPORT_ACTIONS)
def test_only_the_la_team_may_touch_disclosure_exports(world, action):
    for person in (world.alice, world.olivia, world.dara, world.nadia):
        assert _reason(person, action) == "role_not_permitted"
    assert _reason(world.lena, action) == "allowed"


def test_an_la_team_account_without_a_home_la_has_no_exports(world):
    national = Organisation.objects.create(
        kind=OrganisationKind.NATIONAL, name="National", code="NAT-9", accredited_on=date(2020, 1, 1)
    )
    nobody = make_user("nobody", national, Role.LA_TEAM)
    assert _reason(nobody, Permission.DisclosureExportRequest) == "no_organisation"


def test_the_asker_views_and_downloads_but_never_decides_their_own_request(world, export):
    assert _reason(world.lena, Permission.DisclosureExportView, export) == "allowed"
    assert _reason(world.lena, Permission.DisclosureExportDownload, export) == "allowed"
    assert _reason(world.lena, Permission.DisclosureExportDecide, export) == "own_export"


def test_a_colleague_decides_but_never_downloads(world, export):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    assert _reason(leo, Permission.DisclosureExportDecide, export) == "allowed"
    assert _reason(leo, Permission.DisclosureExportDownload, export) == "not_requester"


@pytest.mark.parametrize("action", EXPORT_ACTIONS[1:])
def test_another_las_team_can_do_nothing_with_it(world, export, action):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    assert _reason(stella, action, export) == "other_la"


def test_a_shielded_child_is_exported_as_any_practitioner_would_see_it(world, child, shielded_child):
    assert disclosure_visibility(child=child).full
    assert not disclosure_visibility(child=shielded_child).full
    assert not disclosure_visibility(child=child).sensitive_services
    assert not disclosure_visibility(child=child).source_issuer_ids


def test_a_child_archived_or_moved_since_the_request_is_not_carried(world, export, child):
    from children.models import Child, RecordStatus

    action = Permission.DisclosureExportDownload
    assert decide(actor=world.lena, action=action, export=export, child=child).allowed
    Child.objects.filter(pk=child.pk).update(local_authority=world.south)
    moved = Child.objects.get(pk=child.pk)
    assert decide(actor=world.lena, action=action, export=export, child=moved).reason == "other_la"
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    archived = Child.objects.get(pk=child.pk)
    assert decide(actor=world.lena, action=action, export=export, child=archived).reason == "archived"


def test_a_request_may_name_only_an_active_record_of_the_askers_own_la(world, child):
    """Asked before there is an export (the request), the policy judged no child: it answered yes for
    another LA's child, or an archived or closed one, and the rule lived in the pages alone."""
    from children.models import Child, RecordStatus

    action = Permission.DisclosureExportRequest
    assert decide(actor=world.lena, action=action, child=child).allowed
    Child.objects.filter(pk=child.pk).update(local_authority=world.south)
    moved = Child.objects.get(pk=child.pk)
    assert decide(actor=world.lena, action=action, child=moved).reason == "other_la"
    Child.objects.filter(pk=child.pk).update(local_authority=world.north, status=RecordStatus.ARCHIVED)
    assert decide(actor=world.lena, action=action, child=Child.objects.get(pk=child.pk)).reason == "archived"
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    assert decide(actor=world.lena, action=action, child=Child.objects.get(pk=child.pk)).reason == "closed"
