"""High-volume precise searching: many searches, or many distinct children found, by one user in a
rolling hour (pentest finding 5: 60 exact searches a minute exposed 44 names and raised nothing)."""

import uuid

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from children.search import SearchCriteria, child_search
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in

PRECISE = SearchCriteria(family_name="Thornton", postcode="LS1 4AB")


def _found(user, children: int, searches: int | None = None) -> None:
    """Earlier searches as the log holds them: each returned the given number of distinct children."""
    ids = [str(uuid.uuid4()) for _ in range(children)]
    searches = searches or children
    for n in range(searches):
        result = ids[n : n + 1] if n < children else []
        event_record(tag=AuditTag.SearchPerformed, actor=user, additional={"result_ids": result})


def _misuse_events(rule: str):
    return [
        e for e in AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected) if e.additional["rule"] == rule
    ]


def test_the_pentests_precise_searching_raises_an_alert_with_the_default_thresholds(world, child):
    _found(world.alice, children=43, searches=59)
    outcome = child_search(criteria=PRECISE, fetched_by=world.alice)
    assert len(outcome.results) == 1  # the 44th child, the 60th search
    alert = Alert.objects.get(kind=AlertKind.BULK_CHILDREN_FOUND)
    assert (alert.local_authority, alert.raised_by) == (world.north, world.alice)
    [event] = _misuse_events("bulk_children_found")
    assert event.additional == {
        "actor_role": "practitioner",
        "rule": "bulk_children_found",
        "alert_id": alert.pk,
        "count": 44,
        "per_hour": 30,
    }


@pytest.fixture
def _small_thresholds(settings):
    settings.MISUSE_SEARCHES_PER_HOUR = 5
    settings.MISUSE_CHILDREN_FOUND_PER_HOUR = 3
    settings.MISUSE_SUSPEND_FACTOR = 2


@pytest.mark.usefixtures("_small_thresholds")
def test_searching_up_to_the_thresholds_raises_nothing(world, child):
    _found(world.alice, children=2, searches=4)
    child_search(criteria=PRECISE, fetched_by=world.alice)
    assert not Alert.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected).exists()


@pytest.mark.usefixtures("_small_thresholds")
def test_more_searches_than_the_threshold_alert_the_users_la_team_and_are_audited(world):
    _found(world.alice, children=0, searches=5)
    child_search(criteria=PRECISE, fetched_by=world.alice)  # the sixth, finding nobody
    alert = Alert.objects.get()
    assert (alert.kind, alert.local_authority) == (AlertKind.BULK_SEARCHING, world.north)
    [event] = _misuse_events("bulk_searching")
    assert event.additional == {
        "actor_role": "practitioner",
        "rule": "bulk_searching",
        "alert_id": alert.pk,
        "count": 6,
        "per_hour": 5,
    }
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None


@pytest.mark.usefixtures("_small_thresholds")
def test_more_distinct_children_found_than_the_threshold_alert_once_an_hour(world, child):
    _found(world.alice, children=3)
    child_search(criteria=PRECISE, fetched_by=world.alice)
    child_search(criteria=PRECISE, fetched_by=world.alice)
    assert Alert.objects.filter(kind=AlertKind.BULK_CHILDREN_FOUND).count() == 1


@pytest.mark.usefixtures("_small_thresholds")
def test_the_same_child_found_again_is_not_counted_twice(world, child):
    for _ in range(4):
        child_search(criteria=PRECISE, fetched_by=world.alice)
    assert not Alert.objects.filter(kind=AlertKind.BULK_CHILDREN_FOUND).exists()


@pytest.mark.usefixtures("_small_thresholds")
def test_more_than_the_hard_threshold_suspends_and_the_search_page_signs_the_user_out(world, child):
    _found(world.alice, children=6)
    client = signed_in(world.alice)
    response = client.post(reverse("children:search"), {"family_name": "Thornton", "postcode": "LS1 4AB"})
    assert response.status_code == 403
    assert b"suspended" in response.content
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None
    assert Alert.objects.filter(kind=AlertKind.ACCOUNT_AUTO_SUSPENDED).count() == 1


@pytest.mark.usefixtures("_small_thresholds")
def test_searches_older_than_an_hour_are_not_counted(world, child):
    from datetime import timedelta

    from django.utils import timezone

    from audit.models import SearchAppearance
    from audit.tests.tampering import triggers_bypassed

    _found(world.alice, children=6)
    # Backdating the log is an attacker's move elsewhere; here it stands in for the clock moving on.
    earlier = timezone.now() - timedelta(hours=2)
    with triggers_bypassed():
        AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).update(occurred_at=earlier)
        SearchAppearance.objects.update(occurred_at=earlier)
    child_search(criteria=PRECISE, fetched_by=world.alice)
    assert not Alert.objects.exists()
