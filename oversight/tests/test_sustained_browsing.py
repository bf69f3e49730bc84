"""Browsing spread over a day, each hour just under the hourly thresholds.

The hourly rules count a rolling hour, so 29 records an hour (or 29 children found by searching) raised
nothing however long it went on: about 700 children in a day. The sustained-browsing rule counts the
distinct children a person viewed, and those their searches found, in a rolling 24 hours: above
`MISUSE_DAY_FACTOR` times the hourly threshold it alerts the person's own LA team once a day. It never
suspends: only a person can tell a long day's caseload from browsing.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from children.search import SearchCriteria, child_search
from children.viewing import PurposeGrant, record_view_audit
from oversight.models import Alert, AlertKind
from tests.personas import make_child

GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)
MORNING = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def _three_an_hour(settings):
    settings.MISUSE_VIEWS_PER_HOUR = 3  # an alert above 3 in an hour
    settings.MISUSE_CHILDREN_FOUND_PER_HOUR = 3
    settings.MISUSE_SEARCHES_PER_HOUR = 100  # searches alone are tested apart
    settings.MISUSE_SUSPEND_FACTOR = 2
    settings.MISUSE_DAY_FACTOR = 4  # so above 12 in a day
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 100  # these views follow no search: tested apart
    settings.MISUSE_VIEWS_OUTSIDE_LA_PER_HOUR = 100


def _viewed(user, n: int) -> None:
    """Earlier views as the log holds them, of `n` distinct children."""
    for _ in range(n):
        event_record(tag=AuditTag.RecordViewed, actor=user, child_id=uuid.uuid4(), additional={})


def _found(user, n: int) -> None:
    """Earlier searches as the log holds them, each finding one more distinct child."""
    for _ in range(n):
        event_record(tag=AuditTag.SearchPerformed, actor=user, additional={"result_ids": [str(uuid.uuid4())]})


def _searched(user, n: int) -> None:
    """Earlier searches as the log holds them, each finding nobody ("no match", "refine your search")."""
    for _ in range(n):
        event_record(tag=AuditTag.SearchPerformed, actor=user, additional={"result_ids": []})


def _sustained():
    return Alert.objects.filter(kind=AlertKind.SUSTAINED_BROWSING)


def _hour_after_hour(clock, hours: int, each, user) -> None:
    for hour in range(hours):
        clock.move_to(MORNING + timedelta(hours=hour, minutes=1))
        each(user, 3)  # never more than 3 in any rolling hour


def test_viewing_just_under_the_hourly_threshold_hour_after_hour_alerts_the_users_la_team(world):
    with time_machine.travel(MORNING, tick=False) as clock:
        child = make_child(world)
        _hour_after_hour(clock, 4, _viewed, world.alice)  # 12 children by noon
        clock.move_to(MORNING + timedelta(hours=4, minutes=2))
        record_view_audit(child=child, by=world.alice, grant=GRANT, restricted=False)  # the 13th
    alert = _sustained().get()
    assert (alert.local_authority, alert.raised_by, alert.child_id) == (world.north, world.alice, None)
    assert not Alert.objects.exclude(kind=AlertKind.SUSTAINED_BROWSING).exists()  # no hourly rule saw it
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None  # an alert only
    [event] = AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected)
    assert event.additional == {
        "actor_role": "practitioner",
        "rule": "sustained_browsing",
        "alert_id": alert.pk,
        "counted": "viewed",
        "count": 13,
        "per_day": 12,
    }


def test_children_found_by_searching_just_under_the_hourly_threshold_all_day_alert(world):
    with time_machine.travel(MORNING, tick=False) as clock:
        make_child(world, family_name="Thornton", postcode="LS1 4AB")
        _hour_after_hour(clock, 4, _found, world.alice)
        clock.move_to(MORNING + timedelta(hours=4, minutes=2))
        outcome = child_search(
            criteria=SearchCriteria(family_name="Thornton", postcode="LS1 4AB"), fetched_by=world.alice
        )
    assert len(outcome.results) == 1  # the 13th child found today
    alert = _sustained().get()
    assert alert.raised_by == world.alice
    [event] = AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected)
    assert (event.additional["counted"], event.additional["count"]) == ("found", 13)


def test_searches_finding_nobody_just_under_the_hourly_threshold_all_day_alert(world, settings):
    settings.MISUSE_SEARCHES_PER_HOUR = 3
    with time_machine.travel(MORNING, tick=False) as clock:
        _hour_after_hour(clock, 4, _searched, world.alice)
        clock.move_to(MORNING + timedelta(hours=4, minutes=2))
        outcome = child_search(
            criteria=SearchCriteria(family_name="Nobody", postcode="LS9 9ZZ"), fetched_by=world.alice
        )
    assert not outcome.results
    alert = _sustained().get()
    assert alert.raised_by == world.alice
    [event] = AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected)
    assert (event.additional["counted"], event.additional["count"], event.additional["per_day"]) == (
        "searches",
        13,
        12,
    )


def test_up_to_the_days_threshold_raises_nothing(world):
    with time_machine.travel(MORNING, tick=False) as clock:
        child = make_child(world)
        _hour_after_hour(clock, 3, _viewed, world.alice)
        _viewed(world.alice, 2)  # 11 earlier, this hour 5: the hourly rule alerts, not the daily one
        clock.move_to(MORNING + timedelta(hours=3, minutes=2))
        record_view_audit(child=child, by=world.alice, grant=GRANT, restricted=False)  # the 12th
    assert not _sustained().exists()


def test_activity_more_than_a_day_old_is_not_counted(world):
    with time_machine.travel(MORNING, tick=False) as clock:
        child = make_child(world)
        _hour_after_hour(clock, 4, _viewed, world.alice)
        clock.move_to(MORNING + timedelta(hours=24, minutes=2))  # the first hour's 3 have left the day
        record_view_audit(child=child, by=world.alice, grant=GRANT, restricted=False)
    assert not _sustained().exists()


def test_the_sustained_browsing_alert_is_raised_once_a_day_and_never_suspends(world):
    with time_machine.travel(MORNING, tick=False) as clock:
        children = [make_child(world, family_name=f"Thornton{'x' * n}") for n in range(3)]
        _hour_after_hour(clock, 8, _viewed, world.alice)
        for n, child in enumerate(children):
            clock.move_to(MORNING + timedelta(hours=8, minutes=n + 1))
            record_view_audit(child=child, by=world.alice, grant=GRANT, restricted=False)
        clock.move_to(MORNING + timedelta(hours=9, minutes=5))
        _found(world.alice, 3)
        child_search(
            criteria=SearchCriteria(family_name="Thornton", postcode="LS1 4AB"), fetched_by=world.alice
        )
    assert _sustained().count() == 1
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None
