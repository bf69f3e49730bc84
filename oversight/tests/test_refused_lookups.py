"""Refused look-ups: ids probed under the search limit (made-up ids, a kept id of a record closed for a new
identity, refused break-glass on a child) are counted in a rolling hour (`oversight.misuse.refusal_screen`),
alerted to the person's own LA team and, past the hard threshold, suspended.

Review (oversight, helper 1): no misuse rule read refusals, so 200 made-up ids an hour, paced under the
60-a-minute limit, were each refused and audited and nobody was ever told. The refusal call sites
(`access.http.denied`, the children pages' no-such-record answer, the search limit's refusal) call
`refusal_screen` right after writing the refusal's audit event, in its transaction; these tests write the
event as those sites do and call it, then read the LA team's alert queue.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from access.policy import REASON_MESSAGES
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from oversight.misuse import (
    CLOSED_FOR_A_NEW_IDENTITY,
    REFUSALS_ABOUT_THE_PERSON,
    refusal_record,
    refusal_screen,
)
from oversight.models import Alert, AlertKind
from oversight.rules import REFUSED_LOOKUPS, THROTTLED_MINUTE_WEIGHT, Rule
from tests.journeys import signed_in
from tests.personas import make_child

MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday, working hours


@pytest.fixture
def morning():
    with time_machine.travel(MORNING, tick=False) as clock:
        yield clock


def _refused(user, *, reason="no_such_record", child=None, tag=AuditTag.AccessDenied):
    """A refusal as its call site writes it (`refusal_record`, the one writer), or a minute over the search
    limit as `access.http.search_over_limit` writes it: the audit event, then the screen, in one transaction."""
    if tag == AuditTag.AccessDenied:
        refusal_record(
            actor=user, child_id=child.pk if child else None, additional={"reason": reason}, child=child
        )
        return
    with transaction.atomic():
        event_record(tag=tag, actor=user, additional={"refused_in_the_minute_before": 0})
        refusal_screen(user=user)


def _queue(user) -> str:
    response = signed_in(user).get(reverse("oversight:alerts"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_thresholds_leave_an_honest_handful_quiet():
    assert REFUSED_LOOKUPS.alert_above == 10
    assert REFUSED_LOOKUPS.suspend_above == 30
    assert REFUSED_LOOKUPS.alert_above == THROTTLED_MINUTE_WEIGHT


def test_ten_made_up_ids_in_an_hour_stay_quiet(world, morning):
    for _ in range(10):
        _refused(world.alice)
    assert not Alert.objects.exists()


def test_eleven_made_up_ids_in_an_hour_alert_the_la_team_naming_who_tried(world, morning):
    for _ in range(11):
        _refused(world.alice)
    alert = Alert.objects.get()
    assert (alert.kind, alert.raised_by, alert.local_authority, alert.child_id) == (
        AlertKind.REFUSED_LOOKUPS,
        world.alice,
        world.north,
        None,
    )
    signal = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected)
    assert signal.additional["rule"] == Rule.REFUSED_LOOKUPS
    assert signal.additional["count"] == 11
    page = _queue(world.lena)
    assert "Unusually many refused look-ups of children in an hour" in page
    assert reverse("team:user", args=[world.alice.pk]) in page


def test_more_made_up_ids_in_the_hour_raise_no_second_alert(world, morning):
    for _ in range(20):
        _refused(world.alice)
    assert Alert.objects.filter(kind=AlertKind.REFUSED_LOOKUPS).count() == 1


def test_thirty_one_refusals_about_children_in_an_hour_suspend(world, morning):
    closed = make_child(world, family_name="Begum")
    Child.objects.filter(pk=closed.pk).update(status=RecordStatus.ARCHIVED)
    closed.refresh_from_db()
    for _ in range(20):
        _refused(world.alice)
    for _ in range(11):
        _refused(world.alice, reason="not_found_by_search", child=closed)
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None
    suspended = Alert.objects.get(kind=AlertKind.ACCOUNT_AUTO_SUSPENDED)
    assert suspended.raised_by == world.alice
    crossed = AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected).latest("pk")
    assert crossed.additional["suspended"] is True
    assert crossed.additional["count"] == 31
    assert signed_in(world.alice).get(reverse("children:search")).status_code == 403


def test_refusals_about_the_person_are_not_counted(world, morning, child):
    """A wrong role or lapsed vetting is refused for every id alike: it probes nothing."""
    for _ in range(20):
        _refused(world.alice, reason="role_not_permitted")
    for _ in range(20):
        _refused(world.alice, reason="training_lapsed", child=child)
    assert not Alert.objects.exists()


def test_a_refused_break_glass_on_a_child_counts(world, morning, child):
    """An override holder refused break-glass on records they may not open (not shielded, found by no
    search): each names the child, and eleven in the hour alert."""
    for _ in range(11):
        _refused(world.olivia, reason="not_found_by_search", child=child)
    assert Alert.objects.get().kind == AlertKind.REFUSED_LOOKUPS


def test_a_minute_over_the_search_limit_weighs_as_an_alert_thresholds_worth(world, morning):
    _refused(world.alice, tag=AuditTag.SearchThrottled)
    assert not Alert.objects.exists(), "one minute over the limit alone (a burst of clicks) stays quiet"
    _refused(world.alice)
    assert Alert.objects.get().kind == AlertKind.REFUSED_LOOKUPS


def test_four_minutes_over_the_search_limit_in_an_hour_suspend(world, morning):
    for _ in range(4):
        _refused(world.alice, tag=AuditTag.SearchThrottled)
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None


def test_the_count_is_a_rolling_hour(world, morning):
    for _ in range(8):
        _refused(world.alice)
    morning.shift(timedelta(minutes=61))
    for _ in range(8):
        _refused(world.alice)
    assert not Alert.objects.exists()


def test_other_peoples_refusals_are_not_counted(world, morning):
    for _ in range(8):
        _refused(world.alice)
    for _ in range(8):
        _refused(world.bob)
    assert not Alert.objects.exists()


# The page-level journeys: the refusal sites (`access.http._refusal_audited`, `search_over_limit`) screen.


def test_made_up_ids_on_the_record_page_alert_the_la_team(world, morning):
    client = signed_in(world.alice)
    for _ in range(11):
        assert client.get(reverse("children:record", args=[uuid.uuid4()])).status_code == 404
    assert "Unusually many refused look-ups of children in an hour" in _queue(world.lena)


def test_a_kept_id_of_a_closed_record_tried_on_the_record_page_alerts_the_team_holding_it(world, morning):
    closed = make_child(world, family_name="Thornton")
    Child.objects.filter(pk=closed.pk).update(status=RecordStatus.CLOSED)
    assert signed_in(world.bob).get(reverse("children:record", args=[closed.pk])).status_code == 404
    assert str(closed.pk) in _queue(world.lena)


def test_a_refusal_naming_the_child_by_id_alone_counts(world, morning, child):
    """A page that refuses with the child's id only (the refusal page's `denied` without the child read)."""
    for _ in range(11):
        refusal_record(actor=world.alice, child_id=child.pk, additional={"reason": "not_found_by_search"})
    assert Alert.objects.get().kind == AlertKind.REFUSED_LOOKUPS


def test_the_reasons_the_rule_leaves_out_are_the_policys_reasons_about_the_person():
    assert set(REASON_MESSAGES) >= REFUSALS_ABOUT_THE_PERSON
    assert {"role_not_permitted", "training_lapsed", "suspended"} <= REFUSALS_ABOUT_THE_PERSON
    assert "not_found_by_search" not in REFUSALS_ABOUT_THE_PERSON
    assert CLOSED_FOR_A_NEW_IDENTITY == RecordStatus.CLOSED
