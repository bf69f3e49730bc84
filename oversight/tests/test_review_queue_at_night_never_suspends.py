"""Review-queue looks at night alert but never suspend, as they never do by day (`QUEUE_LOOK_TAGS`).

The clerical review queue shows the children the matching engine put beside a feed row: the reviewer does
not choose them, so the bulk-viewing rule counts them toward its alert but never toward the automatic
suspension. The out-of-hours rule counted each child a review showed toward its suspension too: a
night team (or one person clearing a feed's burst after hours) was locked out after a few reviews, and
a reload of one review page counted its children again each time. Looks the person chose (record views,
archive openings, comparisons) at night still suspend past the hard threshold, whatever the queue added.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from children.models import Child
from children.viewing import PurposeGrant, record_view_audit
from linkage.services import review_view_audit
from oversight.models import Alert, AlertKind
from oversight.tests.test_archive_merge_and_review_views_counted import _reviews
from tests.journeys import signed_in
from tests.personas import make_child

# Wednesday 2 December 2026 (GMT, so London time equals UTC).
NIGHT = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)
GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)


@pytest.fixture(autouse=True)
def _working_hours_and_three_an_hour_at_night(settings):
    settings.MISUSE_WORKING_HOURS_START = "07:00"
    settings.MISUSE_WORKING_HOURS_END = "19:00"
    settings.MISUSE_WORKING_DAYS = (0, 1, 2, 3, 4)
    settings.MISUSE_OUT_OF_HOURS_ACTIONS_PER_HOUR = 3  # an alert above 3 looks at night
    settings.MISUSE_SUSPEND_FACTOR = 2  # suspended above 6
    settings.MISUSE_VIEWS_PER_HOUR = 100  # the bulk-viewing rule is tested apart
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 100


def test_review_queue_work_at_night_past_the_hard_threshold_alerts_but_never_suspends(world):
    reviews = _reviews(world, 7)
    client = signed_in(world.lena)
    with time_machine.travel(NIGHT, tick=False):
        for review in reviews[:6]:
            assert client.get(reverse("linkage:review", args=[review.pk])).status_code == 200
        page = client.get(reverse("linkage:review", args=[reviews[6].pk])).content.decode()
        assert "Grace" in page  # shown: the reviewer is not signed out
        world.lena.refresh_from_db()
        assert world.lena.suspended_at is None
        assert Alert.objects.filter(raised_by=world.lena, kind=AlertKind.OUT_OF_HOURS).exists()
        assert not Alert.objects.filter(kind=AlertKind.ACCOUNT_AUTO_SUSPENDED).exists()
        assert client.get(reverse("linkage:reviews")).status_code == 200  # still signed in


def test_records_chosen_at_night_past_the_hard_threshold_still_suspend_whatever_the_queue_added(world):
    reviews = _reviews(world, 3)
    chosen = [make_child(world, family_name=name) for name in ("Adams", "Baker", "Clarke", "Davies")]
    candidates = Child.objects.exclude(pk__in=[c.pk for c in chosen]).order_by("pk")
    with time_machine.travel(NIGHT, tick=False):
        for review, candidate in zip(reviews, candidates, strict=False):  # three looks the queue chose
            review_view_audit(review=review, child_ids=[candidate.pk], by=world.lena)
        for child in chosen[:3]:
            record_view_audit(child=child, by=world.lena, grant=GRANT, restricted=False)
        world.lena.refresh_from_db()
        assert world.lena.suspended_at is None  # six looks, three chosen
        for child in chosen:  # seven chosen looks: past the hard threshold
            record_view_audit(child=child, by=world.lena, grant=GRANT, restricted=False)
        world.lena.refresh_from_db()
        assert world.lena.suspended_at is not None
