"""Who may open an archived record: a data manager of its LA in its first year; afterwards only with a
statutory reason; practitioners, override holders and LA teams never (domain.md, Lifecycle).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from access.permissions import Permission
from access.policy import archive_visibility, decide
from accounts.models import Role, User
from children.models import Child, RecordStatus
from lifecycle.models import Archive
from tests.personas import make_child, make_user

ARCHIVED_ON = date(2033, 3, 4)


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2033, 3, 4, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock, db):  # vetting dates are set from the frozen clock
    from tests.personas import build_world

    return build_world()


def _archive(child: Child) -> Child:
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    Archive.objects.create(child=child, archived_on=ARCHIVED_ON, purge_due_on=date(2039, 3, 4))
    return Child.objects.get(pk=child.pk)


@pytest.fixture
def archived(world, child):
    return _archive(child)


def _later(clock, user: User, days: int) -> None:
    """Move the clock on and keep the person's own vetting current, so only the archive rule is tested."""
    clock.move_to(datetime(2033, 3, 4, 9, 0, tzinfo=UTC) + timedelta(days=days))
    today = timezone.localdate()
    User.objects.filter(pk=user.pk).update(background_check_on=today, training_completed_on=today)
    user.refresh_from_db()


def test_a_data_manager_may_open_an_archived_record_in_its_first_year(world, archived, clock):
    assert decide(actor=world.dara, action=Permission.ArchiveView, child=archived)
    _later(clock, world.dara, 364)
    assert decide(actor=world.dara, action=Permission.ArchiveView, child=archived)


def test_after_the_first_year_a_data_manager_needs_a_statutory_reason(world, archived, clock):
    _later(clock, world.dara, 365)
    decision = decide(actor=world.dara, action=Permission.ArchiveView, child=archived)
    assert not decision and decision.reason == "archive_statutory_reason_required"
    assert "statutory" in decision.message
    assert decide(actor=world.dara, action=Permission.ArchiveStatutoryView, child=archived)


def test_an_archive_without_its_date_is_treated_as_older_than_a_year(world, archived):
    Archive.objects.filter(child=archived).delete()
    decision = decide(actor=world.dara, action=Permission.ArchiveView, child=archived)
    assert decision.reason == "archive_statutory_reason_required"


@pytest.mark.parametrize("persona", ["alice", "olivia", "lena"])
@pytest.mark.parametrize(
    "action",
    [
        Permission.ChildView,
        Permission.InvolvementRecord,
        Permission.InvolvementCease,
        Permission.LeadProfessionalSet,
        Permission.CafSet,
    ],
)
def test_practitioners_and_the_la_team_are_refused_an_archived_record(world, archived, persona, action):
    decision = decide(actor=getattr(world, persona), action=action, child=archived)
    if persona == "lena" and action == Permission.InvolvementRecord:
        assert decision.reason == "role_not_permitted"  # an LA team never records involvement
        return
    assert not decision and decision.reason == "archived"
    assert decision.message == "This record has been archived. Only a data manager can open it."


def test_an_override_holder_cannot_break_glass_into_an_archived_shielded_record(world, shielded_child):
    archived = _archive(shielded_child)
    decision = decide(actor=world.olivia, action=Permission.ShieldOverride, child=archived)
    assert decision.reason == "archived"


@pytest.mark.parametrize("persona", ["alice", "olivia", "lena", "nadia"])
@pytest.mark.parametrize("action", [Permission.ArchiveView, Permission.ArchiveStatutoryView])
def test_only_data_managers_may_use_the_archive_permissions(world, archived, persona, action):
    decision = decide(actor=getattr(world, persona), action=action, child=archived)
    assert decision.reason == "role_not_permitted"


def test_a_data_manager_cannot_open_an_active_record_through_the_archive(world, child):
    for action in (Permission.ArchiveView, Permission.ArchiveStatutoryView):
        assert decide(actor=world.dara, action=action, child=child).reason == "not_archived"
    assert decide(actor=world.dara, action=Permission.ChildView, child=child).reason == "role_not_permitted"


def test_a_data_manager_reads_only_their_own_las_archive(world):
    south_child = _archive(make_child(world, la=world.south))
    for action in (Permission.ArchiveView, Permission.ArchiveStatutoryView):
        assert decide(actor=world.dara, action=action, child=south_child).reason == "other_la"
    national = make_user("ned", world.nadia.organisation, Role.DATA_MANAGER)
    assert decide(actor=national, action=Permission.ArchiveView, child=south_child).reason == "other_la"


def test_a_data_manager_may_reach_the_archive_pages_without_a_child(world):
    assert decide(actor=world.dara, action=Permission.ArchiveView)


def test_a_lapsed_data_manager_is_refused_for_the_lapse_first(world, archived, clock):
    clock.move_to(datetime(2034, 3, 4, 9, 0, tzinfo=UTC))
    assert decide(actor=world.dara, action=Permission.ArchiveView, child=archived).reason == "training_lapsed"


def test_the_archive_hides_sensitive_services_and_source_identifiers(world):
    seen = archive_visibility(child=make_child(world))
    assert seen.full and not seen.sensitive_services
    assert seen.source_issuer_ids == frozenset()


def test_the_policy_says_a_data_manager_never_sees_where_an_archived_shielded_child_lived(world):
    """The archive page left the location out itself while the policy's answer (a constant) said every
    archived record was seen in full: a page asking the policy would have shown it."""
    seen = archive_visibility(child=make_child(world, shielded=True))
    assert not seen.full and not seen.sensitive_services
    assert seen.source_issuer_ids == frozenset()
