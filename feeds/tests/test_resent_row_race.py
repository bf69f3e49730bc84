"""Two batches of one source sending the same row at once (yesterday's run still going as today's starts,
two workers): on PostgreSQL, real concurrent sessions. One review is opened; the other row waits on it.
And two reviewers deciding "new child" at once on two reviews of one child make one record: the second,
judged under the row's key locks after the first committed, is refused and shown the record."""

import threading
from typing import Any

from children.models import Child, RecordStatus
from feeds import ingest
from feeds.models import FeedRow, RowOutcome
from feeds.review import NewChildRefused, ReviewDecision, review_decide
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from linkage import services
from linkage.models import ClericalReview, ReviewStatus
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child

pytestmark = postgresql_race()


def _row(record_id: str = "H-1") -> dict[str, Any]:
    """Amelia Thornton with another NHS number: an ordinary review in North (identifier conflict)."""
    return feed_row(
        record_id=record_id,
        given_names="Amelia",
        family_name="Thornton",
        date_of_birth="2015-03-04",
        nhs_number="401 023 2137",
        postcode="LS2 9JT",
        address_line="8 Fernbank Way",
    )


def _both_batches_at_once(world) -> list[Any]:
    source = health_source(world)
    return run_together(2, lambda i: feed_rows_ingest(source, [_row()], batch_id=f"2026-12-0{i + 1}").counts)


def test_two_batches_sending_one_row_at_once_open_one_review(world):
    make_child(world)
    counts = _both_batches_at_once(world)
    assert [c["review"] for c in counts] == [1, 1]
    review = ClericalReview.objects.get()
    assert review.status == ReviewStatus.OPEN
    assert list(FeedRow.objects.values_list("outcome", "review_id")) == [(RowOutcome.REVIEW, review.pk)] * 2


def test_without_the_key_locks_the_constraint_still_opens_one(world, monkeypatch):
    """The row's key locks serialise the two today; the constraint holds without them: both sessions
    look for an open review and find none before either opens one, and the second insert fails on the
    partial unique index, in a savepoint, and waits on the first's review."""
    make_child(world)
    monkeypatch.setattr(ingest, "record_keys_lock", lambda digests: None)
    looked = threading.Barrier(2)
    met: set[int] = set()
    real = services._open_review_of_row

    def look_then_meet(token: str) -> Any:
        found = real(token)
        if threading.get_ident() not in met:  # the first look of each session only
            met.add(threading.get_ident())
            looked.wait(timeout=10)
        return found

    monkeypatch.setattr(services, "_open_review_of_row", look_then_meet)
    counts = _both_batches_at_once(world)
    assert [c["review"] for c in counts] == [1, 1]
    assert ClericalReview.objects.count() == 1
    assert set(FeedRow.objects.values_list("review_id", flat=True)) == {ClericalReview.objects.get().pk}


def test_new_child_decided_at_once_on_two_reviews_of_one_child_makes_one_record(world):
    make_child(world)
    feed_rows_ingest(health_source(world), [_row("H-1"), _row("H-2")])
    reviews = list(ClericalReview.objects.order_by("created_at"))
    assert len(reviews) == 2

    def decide(i: int) -> str:
        try:
            review_decide(review=reviews[i], decision=ReviewDecision.NEW_CHILD, by=world.lena)
        except NewChildRefused:
            return "refused"
        return "made"

    assert sorted(run_together(2, decide)) == ["made", "refused"]
    assert Child.objects.filter(status=RecordStatus.ACTIVE).count() == 2
