"""Viewing outside one's own LA: many distinct children of other LAs viewed by one user in an hour."""

import pytest

from accounts.services import suspension_reason_text
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.viewing import PurposeGrant, record_view_audit
from oversight.models import Alert, AlertKind
from tests.personas import make_child

GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)
NAMES = ["Thornton", "Begum", "Okafor", "Nowak", "Patel", "Hughes", "Murray", "Quinn"]


@pytest.fixture(autouse=True)
def _three_an_hour(settings):
    settings.MISUSE_VIEWS_OUTSIDE_LA_PER_HOUR = 3
    settings.MISUSE_SUSPEND_FACTOR = 2
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = (
        100  # these views follow no search: that rule is tested apart
    )


@pytest.fixture
def southern(world):
    return [make_child(world, family_name=name, la=world.south) for name in NAMES]


@pytest.fixture
def northern(world):
    return [make_child(world, family_name=name) for name in NAMES]


def _view(user, children):
    for child in children:
        record_view_audit(child=child, by=user, grant=GRANT, restricted=False)


def test_a_view_of_another_las_child_is_marked_on_its_audit_event(world, southern, northern):
    _view(world.alice, [southern[0], northern[0]])
    marks = dict(
        AuditEvent.objects.filter(tag=AuditTag.RecordViewed).values_list(
            "child_id", "additional__outside_home_la"
        )
    )
    assert marks == {southern[0].pk: True, northern[0].pk: None}


def test_views_outside_the_users_la_up_to_the_threshold_raise_nothing(world, southern):
    _view(world.alice, southern[:3])
    assert not Alert.objects.exists()


def test_views_inside_the_users_own_la_are_not_counted(world, northern):
    _view(world.alice, northern)
    assert not Alert.objects.exists()


def test_views_outside_the_users_la_above_the_threshold_alert_their_own_la_team(world, southern):
    _view(world.alice, southern[:4])
    alert = Alert.objects.get()
    assert (alert.kind, alert.local_authority, alert.raised_by) == (
        AlertKind.VIEWS_OUTSIDE_LA,
        world.north,
        world.alice,
    )
    event = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected)
    assert (event.additional["rule"], event.additional["count"]) == ("views_outside_la", 4)
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None


def test_views_outside_the_users_la_above_the_hard_threshold_suspend_the_account(world, southern):
    _view(world.alice, southern[:7])
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None
    assert "views_outside_la" in suspension_reason_text(world.alice)


def test_a_user_without_an_la_is_never_counted_as_outside_it(world, southern):
    _view(world.nadia, southern)
    assert not AuditEvent.objects.filter(additional__has_key="outside_home_la").exists()
