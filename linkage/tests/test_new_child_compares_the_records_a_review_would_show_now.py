""" "New child" compares like with like: the records the review names against the records the engine
would show on a review of the row opened now (`linkage.linking.review_shown`: the plausible ones, best
first, the first three), never every plausible record.

A review keeps the first three plausible records (`link_decide`); "new child" looked at every plausible
record the review did not name, so on a review opened with four or more it was refused as "a record made
since" when nothing was made, and a fourth held by another LA, once added, refused every later "new child"
for good. A record that would be shown now and is not named (made since, or grown to resemble the row) is
added, audited by ids only, and the reviewer is told it is now among the records compared, not that it was
made. One of another LA is added as it would be at opening: the review then says so, as a review opened
with it says, and "not a match" or a link still decide it."""

import pytest

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from feeds.review import (
    CANDIDATE_ADDED_ELSEWHERE_WORDS,
    CANDIDATES_ADDED_WORDS,
    HELD_ELSEWHERE_WORDS,
    NewChildRefused,
    ReviewDecision,
    review_decide,
)
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from linkage.models import ClericalReview, ReviewStatus
from linkage.selectors import review_candidate_ids, review_shown_ids
from tests.personas import make_child

# Three children of North nearer the row (its postcode district) than a fourth: three shown, one not.
NEAR = ("LS8 1AB", "LS8 1AD", "LS8 2QT")


def _row(**overrides):
    values = {
        "given_names": "Amelia",
        "family_name": "Thornton",
        "date_of_birth": "2015-03-04",
        "nhs_number": None,
        "postcode": "LS8 1AA",
        "address_line": "1 Any Road",
    }
    return feed_row(**{**values, **overrides})


def _review(world) -> ClericalReview:
    feed_rows_ingest(health_source(world), [_row()])
    review = ClericalReview.objects.get()
    assert review.status == ReviewStatus.OPEN and not review.shielded_hold
    return review


def _new_child(world, review):
    return review_decide(
        review=review, decision=ReviewDecision.NEW_CHILD, by=world.lena, seen=review_shown_ids(review)
    )


def _added_events():
    return list(AuditEvent.objects.filter(tag=AuditTag.ReviewCandidatesAdded))


def test_a_review_opened_with_four_plausible_records_can_be_decided_new_child(world):
    near = [make_child(world, postcode=postcode) for postcode in NEAR]
    make_child(world, postcode="LS1 4AB")
    review = _review(world)
    assert review_candidate_ids(review) == {str(c.pk) for c in near}, "the first three, as shown"

    made = _new_child(world, review)

    assert made is not None
    review.refresh_from_db()
    assert review.status == ReviewStatus.NEW_CHILD
    assert not _added_events(), "nothing was added: the review shows what it would show now"


def test_a_fourth_plausible_record_of_another_la_never_stops_new_child(world):
    for postcode in NEAR:
        make_child(world, postcode=postcode)
    elsewhere = make_child(world, postcode="M1 1AA", la=world.south, town="Manchester")
    review = _review(world)
    assert str(elsewhere.pk) not in review_candidate_ids(review)

    assert _new_child(world, review) is not None
    review.refresh_from_db()
    assert review.status == ReviewStatus.NEW_CHILD
    assert not _added_events()


def test_a_record_now_among_the_first_three_is_added_and_the_words_say_so_truly(world):
    for postcode in NEAR:
        make_child(world, postcode=postcode)
    review = _review(world)
    nearer = make_child(world, postcode="LS8 1AA")  # the row's own postcode: the best of them now

    with pytest.raises(NewChildRefused) as refused:
        _new_child(world, review)

    assert str(refused.value) == CANDIDATES_ADDED_WORDS
    assert "made since" not in CANDIDATES_ADDED_WORDS
    assert "now among the records" in CANDIDATES_ADDED_WORDS
    assert "nothing was made" in CANDIDATES_ADDED_WORDS and "open this review again" in CANDIDATES_ADDED_WORDS
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN and str(nearer.pk) in review_candidate_ids(review)
    (added,) = _added_events()
    assert added.additional["review_id"] == str(review.pk)
    assert added.additional["child_ids"] == [str(nearer.pk)] and "Thornton" not in str(added.additional)
    assert added.actor_id == world.lena.pk

    # Shown it, the reviewer says "none of these": made.
    assert _new_child(world, review) is not None
    assert Child.objects.filter(status=RecordStatus.ACTIVE).count() == 5


def test_a_record_made_since_below_the_first_three_is_not_added(world):
    for postcode in NEAR:
        make_child(world, postcode=postcode)
    review = _review(world)
    make_child(world, postcode="LS1 4AB")

    assert _new_child(world, review) is not None
    assert not _added_events()


def test_a_record_of_another_la_now_among_the_first_three_is_handled_as_at_opening(world):
    """Added, as it would be named by a review opened now: not shown to this team (another LA's), so "new
    child" is refused in words that say so, as on a review opened with it, while "not a match" decides."""
    for postcode in NEAR:
        make_child(world, postcode=postcode)
    review = _review(world)
    elsewhere = make_child(world, postcode="LS8 1AA", la=world.south)

    with pytest.raises(NewChildRefused) as refused:
        _new_child(world, review)

    assert str(refused.value) == CANDIDATE_ADDED_ELSEWHERE_WORDS
    assert "made since" not in CANDIDATE_ADDED_ELSEWHERE_WORDS
    assert "open this review again" not in CANDIDATE_ADDED_ELSEWHERE_WORDS, "it will not be shown here"
    review.refresh_from_db()
    assert str(elsewhere.pk) in review_candidate_ids(review)
    with pytest.raises(NewChildRefused) as again:
        _new_child(world, review)
    assert str(again.value) == HELD_ELSEWHERE_WORDS, "as a review opened with it says"

    review_decide(review=review, decision=ReviewDecision.NOT_A_MATCH, by=world.lena)
    review.refresh_from_db()
    assert review.status == ReviewStatus.NOT_A_MATCH
