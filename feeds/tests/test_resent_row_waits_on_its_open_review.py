"""The same row sent again by the same source (tomorrow's extract, a new batch id) while its review is
still open opens no second review: the row is still "review" to the source and in the batch's counts, and
waits on the open review (its `FeedRow` names it). "The same row" is told by a keyed blind token of the
source and the row's canonical values, stored on the review (`ClericalReview.row_token`), never the values.
National feeds resend their children every day: one review per uncertain row per source per day filled
the LA team's queue, and "new child" on two copies made two records of one child."""

from django.db import transaction

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds.models import FeedRow, RowOutcome
from feeds.review import ReviewDecision, review_decide
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from linkage.models import ClericalReview, ReviewStatus
from linkage.retention import review_copy_shred
from tests.personas import make_child


def _possible_match_row(**overrides):
    """Amelia Thornton with another NHS number: an ordinary review in North (identifier conflict)."""
    values = {
        "given_names": "Amelia",
        "family_name": "Thornton",
        "date_of_birth": "2015-03-04",
        "nhs_number": "401 023 2137",
        "postcode": "LS2 9JT",
        "address_line": "8 Fernbank Way",
    }
    return feed_row(**{**values, **overrides})


def _shielded_row():
    return feed_row(
        given_names="Jasmine",
        family_name="Okafor",
        date_of_birth="2015-03-04",
        postcode="LS6 2QT",
        address_line="12 Quarry Lane",
        town="Leeds",
    )


def test_an_exact_resend_in_a_later_batch_waits_on_the_open_review(world):
    make_child(world)
    source = health_source(world)
    first = feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-01")
    again = feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-02")

    assert first.counts["review"] == 1 and again.counts["review"] == 1
    review = ClericalReview.objects.get()
    assert review.status == ReviewStatus.OPEN
    rows = FeedRow.objects.order_by("pk")
    assert [(r.outcome, r.review_id) for r in rows] == [(RowOutcome.REVIEW, review.pk)] * 2
    # The same words to the source: it never learns the row waits on a review already open.
    assert rows[0].reason == rows[1].reason


def test_the_batch_audit_says_how_many_rows_wait_on_a_review_already_open(world):
    make_child(world)
    source = health_source(world)
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-01")
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-02")

    first, second = AuditEvent.objects.filter(tag=AuditTag.FeedBatchIngested).order_by("pk")
    assert first.additional["counts"]["review"] == 1 and second.additional["counts"]["review"] == 1
    assert first.additional["review_rows_waiting_on_open_reviews"] == 0
    assert second.additional["review_rows_waiting_on_open_reviews"] == 1
    assert "Thornton" not in str(second.additional) and "401" not in str(second.additional)


def test_the_same_row_twice_in_one_batch_opens_one_review(world):
    make_child(world)
    report = feed_rows_ingest(health_source(world), [_possible_match_row(), _possible_match_row()])
    assert report.counts["review"] == 2
    assert ClericalReview.objects.count() == 1


def test_the_row_token_is_keyed_and_holds_no_value(world):
    make_child(world)
    feed_rows_ingest(health_source(world), [_possible_match_row()])
    review = ClericalReview.objects.get()
    assert isinstance(review.row_token, int)
    assert "Thornton" not in str(review.__dict__) and "4010232137" not in str(review.__dict__)


def test_a_changed_row_opens_a_review_of_its_own(world):
    make_child(world)
    source = health_source(world)
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-01")
    feed_rows_ingest(source, [_possible_match_row(address_line="9 Fernbank Way")], batch_id="2026-12-02")
    assert ClericalReview.objects.filter(status=ReviewStatus.OPEN).count() == 2


def test_the_same_row_from_another_source_opens_a_review_of_its_own(world):
    make_child(world)
    feed_rows_ingest(health_source(world), [_possible_match_row()], batch_id="2026-12-01")
    feed_rows_ingest(health_source(world, code="health-2"), [_possible_match_row()], batch_id="2026-12-01")
    assert ClericalReview.objects.filter(status=ReviewStatus.OPEN).count() == 2


def test_a_resend_after_the_review_was_decided_is_judged_afresh(world):
    make_child(world)
    source = health_source(world)
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-01")
    decided = ClericalReview.objects.get()
    review_decide(review=decided, decision=ReviewDecision.NOT_A_MATCH, by=world.lena)
    decided.refresh_from_db()
    assert decided.row_token is None, "a decided review keeps no token of the row"

    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-02")
    assert ClericalReview.objects.filter(status=ReviewStatus.OPEN).count() == 1
    assert ClericalReview.objects.count() == 2


def test_a_resend_now_resembling_a_shielded_child_is_held_for_its_team_and_later_ones_wait_on_that(world):
    """The first copy went to an ordinary review; a shielded child the row resembles was recorded since
    (the review does not name it, so nothing moves the review to that child's team). Today's copy is held
    for the team, as any row that could be a shielded child is, and tomorrow's waits on that hold."""
    make_child(world)
    source = health_source(world)
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-01")
    ordinary = ClericalReview.objects.get()
    assert not ordinary.shielded_hold
    make_child(world, postcode="LS2 9JT", shielded=True)

    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-02")
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-03")

    hold = ClericalReview.objects.exclude(pk=ordinary.pk).get()
    assert hold.shielded_hold and hold.status == ReviewStatus.OPEN
    assert list(FeedRow.objects.order_by("pk").values_list("review_id", flat=True)) == [
        ordinary.pk,
        hold.pk,
        hold.pk,
    ]


def test_a_shielded_hold_resent_opens_no_second_hold_and_creates_nothing(world, shielded_child):
    source = health_source(world)
    assert feed_rows_ingest(source, [_shielded_row()], batch_id="2026-12-01").counts["review"] == 1
    assert feed_rows_ingest(source, [_shielded_row()], batch_id="2026-12-02").counts["review"] == 1
    hold = ClericalReview.objects.get()
    assert hold.shielded_hold and hold.status == ReviewStatus.OPEN
    assert list(Child.objects.values_list("pk", flat=True)) == [shielded_child.pk]
    assert set(FeedRow.objects.values_list("review_id", flat=True)) == {hold.pk}


def test_a_review_whose_copy_is_shredded_keeps_no_token_and_a_resend_opens_a_new_one(world):
    """A purge (or a decision) shreds the review's sealed copy: its row token goes with it, so nothing is
    left to say which row it was, and the row sent again is judged afresh."""
    make_child(world)
    source = health_source(world)
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-01")
    review = ClericalReview.objects.get()
    with transaction.atomic():
        review_copy_shred(review)
    review.refresh_from_db()
    assert (review.status, review.row_token) == (ReviewStatus.WITHDRAWN, None)
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-02")
    assert ClericalReview.objects.filter(status=ReviewStatus.OPEN).count() == 1
