"""The archived-record view, the merge comparison and the clerical review are looks at children's records:
the viewing rules count every child each shows, as they count a record view.

Each page decrypts whole records (names, date of birth, address) and audits one event per child shown,
but the viewing rules counted record views, break-glass overrides and subject access reports only: a
data manager could open archived record after archived record, and an LA team member compare pair after
pair of records or page through the review queue, with no alert, no suspension, nothing out of hours
and nothing in a day's count (docs/DECISIONS.md section 19, Left). A merge comparison or a review shows
two or more children: each is counted. Distinct children: the same child seen on two pages is one.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child
from children.viewing import PurposeGrant, record_view_audit
from feeds.tests.factories import feed_row, health_rows_ingest
from lifecycle.services import child_archive
from lifecycle.viewing import archived_record_open
from linkage.merging import merge_compare_audit
from linkage.models import ClericalReview
from linkage.services import review_view_audit
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.pages import headings
from tests.personas import make_child

NAMES = ["Thornton", "Begum", "Okafor", "Nowak", "Patel", "Hughes", "Murray", "Quinn"]
GIVEN_NAMES = ["Amelia", "Bethany", "Chloe", "Daisy", "Evie", "Freya", "Grace"]
GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)
# Wednesday 2 December 2026 (GMT, so London time equals UTC).
NIGHT = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _three_an_hour(settings):
    settings.MISUSE_VIEWS_PER_HOUR = 3  # an alert above 3 distinct children in an hour
    settings.MISUSE_SUSPEND_FACTOR = 2  # suspended above 6
    settings.MISUSE_DAY_FACTOR = 4  # the day's alert above 12
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 100  # tested apart, below
    settings.MISUSE_VIEWS_OUTSIDE_LA_PER_HOUR = 100


@pytest.fixture
def children(world):
    return [make_child(world, family_name=name) for name in NAMES]


@pytest.fixture
def archived(world, children):
    for child in children:
        assert child_archive(child_id=child.pk, rule="age", today=timezone.localdate())
    return [Child.objects.select_related("data_key", "local_authority").get(pk=c.pk) for c in children]


def _archive_opened(client, child):
    return client.post(reverse("lifecycle:archived_record", args=[child.pk]), {"purpose": "data_quality"})


def _compared(client, survivor, duplicate):
    return client.get(reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk]))


def _reviews(world, n: int) -> list[ClericalReview]:
    """`n` children told apart by their given names, and one review each: a row with the child's names,
    a date of birth one digit out and a new postcode, between the thresholds."""
    for given in GIVEN_NAMES[:n]:
        make_child(world, given_names=given)
    rows = [
        feed_row(
            record_id=f"H-{given}",
            given_names=given,
            family_name="Thornton",
            date_of_birth="2015-03-14",
            postcode="LS9 9ZZ",
            nhs_number=None,
        )
        for given in GIVEN_NAMES[:n]
    ]
    health_rows_ingest(world, rows)
    return list(ClericalReview.objects.order_by("created_at", "pk"))


def _reviewed(client, review):
    return client.get(reverse("linkage:review", args=[review.pk]))


def _bulk_viewing_alert(user) -> Alert:
    return Alert.objects.get(raised_by=user, kind=AlertKind.BULK_VIEWING)


def _shows_the_national_alert(world, user) -> None:
    """The system administrator, who manages data managers' and LA team members' accounts, is told."""
    page = signed_in(administrator(world)).get(reverse("oversight:alerts")).content.decode()
    assert "Unusually many records viewed in an hour" in page
    assert reverse("administration:account", args=[user.pk]) in page


def _refused_and_signed_out(response, client, *, not_shown: str) -> None:
    assert response.status_code == 403
    assert headings(response.content.decode()) == ["You cannot do this"]
    assert not_shown not in response.content.decode()
    assert "suspended" in response.content.decode()
    assert not Session.objects.exists()
    assert client.get(reverse("linkage:reviews")).status_code == 302  # signed out: back to sign-in


def test_a_data_manager_opening_many_archived_records_in_an_hour_is_alerted(world, archived):
    client = signed_in(world.dara)
    assert "Thornton" in _archive_opened(client, archived[0]).content.decode()
    for child in archived[:3]:  # the same child again is not counted twice
        _archive_opened(client, child)
    assert not Alert.objects.exists()
    page = _archive_opened(client, archived[3]).content.decode()
    assert "Nowak" in page  # the view that crossed the alert threshold is still shown
    alert = _bulk_viewing_alert(world.dara)
    assert (alert.national, alert.local_authority) == (True, world.north)
    signal = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected, actor=world.dara)
    assert signal.additional["rule"] == "bulk_viewing" and signal.additional["count"] == 4
    _shows_the_national_alert(world, world.dara)


def test_the_archived_record_past_the_hard_threshold_is_not_shown_and_the_data_manager_is_signed_out(
    world, archived
):
    client = signed_in(world.dara)
    for child in archived[:6]:
        assert _archive_opened(client, child).status_code == 200
    response = _archive_opened(client, archived[6])
    _refused_and_signed_out(response, client, not_shown="Murray")
    world.dara.refresh_from_db()
    assert world.dara.suspended_at is not None
    assert Alert.objects.filter(raised_by=world.dara, kind=AlertKind.ACCOUNT_AUTO_SUSPENDED).count() == 1


def test_merge_comparisons_count_both_children_and_alert(world, children):
    client = signed_in(world.lena)
    assert _compared(client, children[0], children[1]).status_code == 200
    assert not Alert.objects.exists()
    page = _compared(client, children[2], children[3]).content.decode()
    assert "Okafor" in page and "Nowak" in page
    alert = _bulk_viewing_alert(world.lena)
    assert (alert.national, alert.local_authority) == (True, world.north)
    signal = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected, actor=world.lena)
    assert signal.additional["count"] == 4  # two comparisons, two children each
    _shows_the_national_alert(world, world.lena)


def test_the_merge_comparison_past_the_hard_threshold_is_not_shown_and_the_la_team_member_is_signed_out(
    world, children
):
    client = signed_in(world.lena)
    for pair in ((0, 1), (2, 3), (4, 5)):
        assert _compared(client, children[pair[0]], children[pair[1]]).status_code == 200
    response = _compared(client, children[6], children[7])
    _refused_and_signed_out(response, client, not_shown="Murray")
    world.lena.refresh_from_db()
    assert world.lena.suspended_at is not None


def test_clerical_reviews_count_each_child_shown_and_alert(world):
    reviews = _reviews(world, 4)
    client = signed_in(world.lena)
    for review in reviews[:3]:
        assert _reviewed(client, review).status_code == 200
    assert not Alert.objects.exists()
    page = _reviewed(client, reviews[3]).content.decode()
    assert "Daisy" in page  # the view that crossed the alert threshold is still shown
    signal = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected, actor=world.lena)
    assert signal.additional["rule"] == "bulk_viewing" and signal.additional["count"] == 4
    assert _bulk_viewing_alert(world.lena).national is True
    _shows_the_national_alert(world, world.lena)


def test_review_queue_work_past_the_hard_threshold_alerts_but_never_suspends(world):
    """The queue chooses the children a review shows (the matching engine's candidates for a feed
    row): a burst of reviews after a large feed must not lock out the person clearing it."""
    reviews = _reviews(world, 7)
    client = signed_in(world.dara)  # data managers decide reviews too
    for review in reviews[:6]:
        assert _reviewed(client, review).status_code == 200
    page = _reviewed(client, reviews[6]).content.decode()
    assert "Grace" in page
    world.dara.refresh_from_db()
    assert world.dara.suspended_at is None
    assert _bulk_viewing_alert(world.dara)
    assert not Alert.objects.filter(kind=AlertKind.ACCOUNT_AUTO_SUSPENDED).exists()
    assert client.get(reverse("linkage:reviews")).status_code == 200  # still signed in


def test_records_chosen_past_the_hard_threshold_suspend_whatever_the_queue_added(world, children):
    reviews = _reviews(world, 6)
    candidates = Child.objects.exclude(pk__in=[c.pk for c in children]).order_by("pk")
    for review, candidate in zip(reviews, candidates, strict=True):  # six children shown by the queue
        review_view_audit(review=review, child_ids=[candidate.pk], by=world.lena)
    assert _bulk_viewing_alert(world.lena)
    for child in children[:6]:  # six chosen: at the hard threshold, not past it
        record_view_audit(child=child, by=world.lena, grant=GRANT, restricted=False)
    world.lena.refresh_from_db()
    assert world.lena.suspended_at is None
    record_view_audit(child=children[6], by=world.lena, grant=GRANT, restricted=False)
    world.lena.refresh_from_db()
    assert world.lena.suspended_at is not None


def test_the_same_child_on_the_record_page_a_comparison_and_a_review_is_counted_once(world, children):
    review = _reviews(world, 1)[0]
    for child in children[:3]:
        record_view_audit(child=child, by=world.lena, grant=GRANT, restricted=False)
    merge_compare_audit(survivor=children[1], duplicate=children[2], by=world.lena)
    review_view_audit(review=review, child_ids=[children[0].pk], by=world.lena)
    assert not Alert.objects.exists()
    merge_compare_audit(survivor=children[2], duplicate=children[3], by=world.lena)
    assert _bulk_viewing_alert(world.lena)


def test_none_of_these_looks_is_an_unexplained_view(world, settings, archived):
    """The archive is found by one exact index number, the comparison by two, and the review queue is
    the matching engine's: none follows a search by design, so none is "unexplained" (a record view's
    rule); each is counted by every other viewing rule."""
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 0  # any unexplained view at all would alert
    archived_record_open(child=archived[0], by=world.dara, purpose="data_quality")
    live = [make_child(world, family_name=name) for name in ("Adams", "Baker")]
    merge_compare_audit(survivor=live[0], duplicate=live[1], by=world.lena)
    review_view_audit(review=_reviews(world, 1)[0], child_ids=[live[0].pk], by=world.lena)
    assert (
        AuditEvent.objects.filter(
            tag__in=[AuditTag.ArchivedRecordViewed, AuditTag.MergeCompared, AuditTag.ReviewViewed]
        ).count()
        == 4
    )
    assert not Alert.objects.filter(kind=AlertKind.UNEXPLAINED_VIEWS).exists()


def test_comparisons_at_night_are_activity_out_of_hours(world, settings, children):
    settings.MISUSE_WORKING_HOURS_START = "07:00"
    settings.MISUSE_WORKING_HOURS_END = "19:00"
    settings.MISUSE_WORKING_DAYS = (0, 1, 2, 3, 4)
    settings.MISUSE_OUT_OF_HOURS_ACTIONS_PER_HOUR = 3
    settings.MISUSE_VIEWS_PER_HOUR = 100
    with time_machine.travel(NIGHT, tick=False):
        merge_compare_audit(survivor=children[0], duplicate=children[1], by=world.lena)
        assert not Alert.objects.exists()
        merge_compare_audit(survivor=children[0], duplicate=children[1], by=world.lena)
    alert = Alert.objects.get(raised_by=world.lena)
    assert alert.kind == AlertKind.OUT_OF_HOURS
    signal = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected, actor=world.lena)
    assert signal.additional["count"] == 4  # each record shown at night is one look


def test_archived_records_opened_over_a_day_count_toward_sustained_browsing(world, archived):
    """Twelve distinct children looked at earlier in the day (fewer than four an hour), then one more."""
    earlier = timezone.now() - timedelta(hours=12)
    for hour in range(4):
        with time_machine.travel(earlier + timedelta(hours=2 * hour), tick=False):
            for _ in range(3):
                event_record(
                    tag=AuditTag.ArchivedRecordViewed, actor=world.dara, child_id=uuid.uuid4(), additional={}
                )
    archived_record_open(child=archived[0], by=world.dara, purpose="data_quality")
    alert = Alert.objects.get(raised_by=world.dara)
    assert alert.kind == AlertKind.SUSTAINED_BROWSING
    signal = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected, actor=world.dara)
    assert (signal.additional["counted"], signal.additional["count"]) == ("viewed", 13)
