""" "New child" is refused while the index holds a record the engine would put among the row's candidates
that the review did not show: made since it opened (by another review's "new child", or by a feed), it
could be this child. The engine is asked again at the decision, under the row's key locks; the record is
added to the review's candidates, so its page shows it beside the others when opened again, as the reviewer
is told. Nothing else is written, and nothing is audited as decided (the page, shown again, is audited as
a look). Two reviews of one child decided "new child" one after the other made two visible records of it.

A shielded record is never added (nor said to exist): a "new child" resembling one is made shielded, as
before (`test_new_child_judged_on_the_index_as_it_is_now.py`)."""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from feeds.review import CANDIDATES_ADDED_WORDS, NewChildRefused, ReviewDecision, review_decide
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from linkage.models import ClericalReview, ReviewLabel, ReviewStatus
from linkage.selectors import review_candidate_ids
from tests.journeys import signed_in
from tests.personas import make_child
from tests.review_pages import decision_posted


def _two_reviews_of_one_child(world, *, shielded: bool = False) -> tuple[ClericalReview, ClericalReview]:
    """The same child sent as two rows (two record ids of the source: two reviews), each held as an ordinary
    review against Amelia Thornton (another NHS number), or held for the team of a shielded Amelia."""
    make_child(world, shielded=shielded)  # Amelia Thornton, LA-N, NHS 943 476 5919
    rows = [
        feed_row(
            record_id=record_id,
            given_names="Amelia",
            family_name="Thornton",
            date_of_birth="2015-03-04",
            nhs_number="401 023 2137",
            postcode="LS2 9JT",
            address_line="8 Fernbank Way",
        )
        for record_id in ("H-1", "H-2")
    ]
    feed_rows_ingest(health_source(world), rows)
    first, second = ClericalReview.objects.order_by("created_at")
    assert first.shielded_hold == second.shielded_hold == shielded
    return first, second


def _active() -> int:
    return Child.objects.filter(status=RecordStatus.ACTIVE).count()


def test_new_child_on_the_second_review_of_one_child_is_refused_and_shows_the_first_ones_record(world):
    first, second = _two_reviews_of_one_child(world)
    made = review_decide(review=first, decision=ReviewDecision.NEW_CHILD, by=world.lena)
    assert _active() == 2

    try:
        review_decide(review=second, decision=ReviewDecision.NEW_CHILD, by=world.lena)
    except NewChildRefused as refused:
        assert str(refused) == CANDIDATES_ADDED_WORDS
    else:
        raise AssertionError("a second record of one child was made")

    assert _active() == 2
    second.refresh_from_db()
    assert second.status == ReviewStatus.OPEN and second.decided_at is None
    assert str(made.pk) in review_candidate_ids(second), "its page shows the record made since"
    assert not ReviewLabel.objects.filter(review=second).exists()
    decided = AuditEvent.objects.filter(tag=AuditTag.ReviewDecided)
    assert [e.additional["review_id"] for e in decided] == [str(first.pk)]

    # Shown it, the reviewer links the row to it.
    review_decide(review=second, decision=ReviewDecision.LINK, by=world.lena, child_id=made.pk)
    second.refresh_from_db()
    assert second.status == ReviewStatus.LINKED and _active() == 2


def test_the_page_says_so_and_shows_the_record_to_decide_on(world):
    first, second = _two_reviews_of_one_child(world)
    made = review_decide(review=first, decision=ReviewDecision.NEW_CHILD, by=world.lena)

    response = decision_posted(world.lena, second, decision="new_child")

    assert response.status_code == 400
    page = response.content.decode()
    assert "nothing was made" in page and "open this review again" in page
    assert _active() == 2
    again = signed_in(world.lena).get(reverse("linkage:review", args=[second.pk])).content.decode()
    assert f'value="{made.pk}"' in again, "opened again, the record made since is shown, to link to"

    # Having seen it, "none of these" is the reviewer's word: made.
    decision_posted(world.lena, second, decision="new_child")
    second.refresh_from_db()
    assert second.status == ReviewStatus.NEW_CHILD and _active() == 3


def test_a_record_made_otherwise_since_is_added_too(world):
    """Not made by a review: recorded since (by a feed, or a team), where the row says the child lives."""
    first, _second = _two_reviews_of_one_child(world)
    since = make_child(world, postcode="LS2 9JT")

    try:
        review_decide(review=first, decision=ReviewDecision.NEW_CHILD, by=world.lena)
    except NewChildRefused as refused:
        assert str(refused) == CANDIDATES_ADDED_WORDS
    else:
        raise AssertionError("a record the review never showed was passed over")
    assert _active() == 2
    first.refresh_from_db()
    assert str(since.pk) in review_candidate_ids(first)


def test_a_shielded_hold_decided_twice_makes_nothing_visible_and_says_nothing(world):
    first, second = _two_reviews_of_one_child(world, shielded=True)
    review_decide(review=first, decision=ReviewDecision.NEW_CHILD, by=world.lena)
    review_decide(review=second, decision=ReviewDecision.NEW_CHILD, by=world.lena)

    assert not Child.objects.filter(status=RecordStatus.ACTIVE, shielded=False).exists()
