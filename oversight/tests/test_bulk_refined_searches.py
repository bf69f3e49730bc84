"""Bulk browsing by search: many "refine your search" answers to one user in a rolling hour."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.search import SearchCriteria, child_search
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in

BROAD = SearchCriteria(family_name="Thornton", postcode="LS1 4AB")


@pytest.fixture(autouse=True)
def _two_an_hour_and_every_match_too_many(settings):
    settings.MISUSE_REFINED_SEARCHES_PER_HOUR = 2
    settings.MISUSE_SUSPEND_FACTOR = 2
    settings.SEARCH_RESULT_CAP = 0  # one matching child is "too many": refine your search


def _searches(user, n, criteria=BROAD):
    return [child_search(criteria=criteria, fetched_by=user) for _ in range(n)]


def test_refine_your_search_up_to_the_threshold_raises_nothing(world, child):
    outcomes = _searches(world.alice, 2)
    assert all(o.too_many for o in outcomes)
    assert not Alert.objects.exists()


def test_searches_that_return_results_are_not_counted(world, child, settings):
    settings.SEARCH_RESULT_CAP = 10
    _searches(world.alice, 5)
    assert not Alert.objects.exists()


def test_more_refine_your_search_answers_than_the_threshold_alert_and_are_audited(world, child):
    _searches(world.alice, 3)
    alert = Alert.objects.get()
    assert (alert.kind, alert.local_authority) == (AlertKind.BULK_REFINED_SEARCHES, world.north)
    event = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected)
    assert event.additional == {
        "actor_role": "practitioner",
        "rule": "bulk_refined_searches",
        "alert_id": alert.pk,
        "count": 3,
        "per_hour": 2,
    }
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None


def test_more_than_the_hard_threshold_suspends_and_the_search_page_signs_the_user_out(world, child):
    _searches(world.alice, 4)
    client = signed_in(world.alice)
    response = client.post(reverse("children:search"), {"family_name": "Thornton", "postcode": "LS1 4AB"})
    assert response.status_code == 403
    assert b"suspended" in response.content
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None
    suspended = AuditEvent.objects.get(tag=AuditTag.AccountSuspended)
    assert (suspended.actor, suspended.additional["by_system"]) == (None, True)
    assert Alert.objects.filter(kind=AlertKind.ACCOUNT_AUTO_SUSPENDED).count() == 1
    assert client.get(reverse("children:search")).status_code == 302
