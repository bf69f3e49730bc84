"""Activity out of hours: searches and record views outside working hours (a setting, 07:00 to 19:00
Europe/London on weekdays by default), counted per user in a rolling hour. Frozen clock throughout."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from accounts.services import suspension_reason_text
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from children.viewing import PurposeGrant, record_view_audit
from oversight.misuse import _search_counts, _search_counts_and_moments, search_screen, working_hours
from oversight.models import Alert, AlertKind
from tests.personas import make_child

GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)
# Wednesday 2 December 2026 (GMT, so London time equals UTC).
NIGHT = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)
DAY = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)
SATURDAY = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _working_hours(settings):
    settings.MISUSE_WORKING_HOURS_START = "07:00"
    settings.MISUSE_WORKING_HOURS_END = "19:00"
    settings.MISUSE_WORKING_DAYS = (0, 1, 2, 3, 4)
    settings.MISUSE_OUT_OF_HOURS_ACTIONS_PER_HOUR = 3
    settings.MISUSE_SUSPEND_FACTOR = 2
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = (
        100  # these views follow no search: that rule is tested apart
    )


def _search(user, times: int) -> None:
    for _ in range(times):
        event = event_record(tag=AuditTag.SearchPerformed, actor=user, additional={"result_ids": []})
        search_screen(user=user, family_name="Thornton", too_many=False, search_event_id=event.pk)


def _view(world, times: int) -> None:
    for n in range(times):
        child = make_child(world, family_name=f"Thornton{chr(ord('a') + n)}")
        record_view_audit(child=child, by=world.alice, grant=GRANT, restricted=False)


def test_activity_out_of_hours_up_to_the_threshold_raises_nothing(world):
    with time_machine.travel(NIGHT, tick=False):
        _search(world.alice, 3)
    assert not Alert.objects.exists()


def test_activity_out_of_hours_above_the_threshold_alerts_the_users_la_team(world):
    with time_machine.travel(NIGHT, tick=False):
        _search(world.alice, 2)
        _view(world, 2)
    alert = Alert.objects.get()
    assert (alert.kind, alert.local_authority, alert.raised_by) == (
        AlertKind.OUT_OF_HOURS,
        world.north,
        world.alice,
    )
    event = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected)
    assert event.additional == {
        "actor_role": "practitioner",
        "rule": "out_of_hours",
        "alert_id": alert.pk,
        "count": 4,
        "per_hour": 3,
    }
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None


def test_activity_out_of_hours_above_the_hard_threshold_suspends_the_account(world):
    with time_machine.travel(NIGHT, tick=False):
        _search(world.alice, 7)
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None
    assert "out_of_hours" in suspension_reason_text(world.alice)


def test_the_same_activity_in_working_hours_raises_nothing(world):
    with time_machine.travel(DAY, tick=False):
        _search(world.alice, 7)
    assert not Alert.objects.exists()


def test_a_weekend_is_outside_working_hours(world):
    with time_machine.travel(SATURDAY, tick=False):
        _search(world.alice, 4)
    assert Alert.objects.get().kind == AlertKind.OUT_OF_HOURS


def test_activity_before_the_end_of_the_working_day_is_not_counted_after_it(world):
    with time_machine.travel(datetime(2026, 12, 2, 18, 40, tzinfo=UTC), tick=False):
        _search(world.alice, 3)
    with time_machine.travel(datetime(2026, 12, 2, 19, 10, tzinfo=UTC), tick=False):
        _search(world.alice, 3)
    assert not Alert.objects.exists()


def test_an_organisation_with_its_own_hours_is_judged_by_them(world):
    world.north_social_care.working_hours_start = time(19, 0)  # an emergency duty team: nights, every day
    world.north_social_care.working_hours_end = time(7, 0)
    world.north_social_care.save()
    world.alice.refresh_from_db()
    with time_machine.travel(NIGHT, tick=False):
        _search(world.alice, 7)
    assert not Alert.objects.exists()
    with time_machine.travel(DAY + timedelta(days=7), tick=False):
        _search(world.alice, 4)
    assert Alert.objects.get().kind == AlertKind.OUT_OF_HOURS


def test_an_organisation_with_only_half_its_own_hours_keeps_the_national_ones(world):
    world.north_social_care.working_hours_start = time(19, 0)
    world.north_social_care.save()
    world.alice.refresh_from_db()
    with time_machine.travel(NIGHT, tick=False):
        _search(world.alice, 4)
    assert Alert.objects.get().kind == AlertKind.OUT_OF_HOURS


def test_a_person_without_an_organisation_is_judged_by_the_national_hours():
    assert working_hours(None).weekdays == frozenset({0, 1, 2, 3, 4})


def test_out_of_hours_the_search_rules_count_as_in_working_hours(world, settings):
    """The one statement used out of hours (counts and moments) answers as the counts used by day."""
    settings.MISUSE_SEARCHES_PER_HOUR = settings.MISUSE_CHILDREN_FOUND_PER_HOUR = 1000
    settings.MISUSE_OUT_OF_HOURS_ACTIONS_PER_HOUR = 1000
    first, second = make_child(world, family_name="Thornton"), make_child(world, family_name="Thorne")
    with time_machine.travel(NIGHT, tick=False):
        for result_ids, too_many in (([first.pk, second.pk], False), ([first.pk], False), ([], True)):
            event_record(
                tag=AuditTag.SearchPerformed,
                actor=world.alice,
                additional={"result_ids": [str(i) for i in result_ids], "too_many": too_many},
            )
        event_record(
            tag=AuditTag.SearchPerformed, actor=world.bob, additional={"result_ids": [str(first.pk)]}
        )
        _view(world, 2)
        for refined in (False, True):
            counts, moments = _search_counts_and_moments(world.alice, refined=refined)
            assert counts == _search_counts(world.alice, refined=refined)
            assert counts == (3, 2, 1 if refined else 0, 3, 2)  # and the day's searches and children
            assert len(moments) == 5 and all(moment == NIGHT for moment, _tag in moments)


def test_out_of_hours_counts_for_someone_with_nothing_audited_this_hour_are_zero_not_an_error(world):
    """Called with no audited search in the hour (the screen runs after one, but the answer must not
    depend on it): the one statement returns no row, and the counts come from the day's query."""
    with time_machine.travel(NIGHT, tick=False):
        for refined in (False, True):
            counts = _search_counts_and_moments(world.alice, refined=refined)
            assert counts == (_search_counts(world.alice, refined=refined), [])
            assert counts == ((0, 0, 0, 0, 0), [])
