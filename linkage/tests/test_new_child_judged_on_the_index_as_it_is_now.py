"""A "new child" decided on a review is judged on the index as it is at the decision, not as it was
when the row was held.

A review opened as an ordinary possible match can be decided days later. Its candidate may since have
been shielded (where it is, or after moving to another LA, where the page no longer shows it), or closed
for a new identity. A new record made then from the row, as the row was judged when it arrived, would be
a visible copy of a shielded child (the 2009 failure), or the birth identity back as an active record.
"""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.models import ClericalReview, ReviewReason, ReviewStatus
from tests.journeys import signed_in
from tests.review_pages import decision_posted


def _possible_match(world) -> ClericalReview:
    """Amelia Thornton with a date one digit out and a new postcode: an ordinary review in North."""
    rows = [
        feed_row(
            given_names="Amelia",
            family_name="Thornton",
            date_of_birth="2015-03-14",
            postcode="LS9 9ZZ",
            nhs_number=None,
        )
    ]
    health_rows_ingest(world, rows)
    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.POSSIBLE_MATCH and not review.shielded_hold
    return review


def _new_child(user, review: ClericalReview):
    return decision_posted(user, review, decision="new_child")


def test_a_new_child_decided_after_the_candidate_moved_away_and_was_shielded_is_refused(world, child):
    """The candidate moved to South and was shielded there: North's page no longer shows it, so North's
    data manager may decide, and "none of these" made a visible record of the shielded child in North.

    Since session 29 no record is made at all: "new child" on a review naming a child another LA holds
    is refused in words (`feeds.review.HELD_ELSEWHERE_WORDS`), shielded or not, and the daily sweep
    moves the review to the team holding the child. (A row resembling a shielded child that is not a
    candidate is still created shielded: `test_a_new_child_decided_by_the_la_team_after_the_candidate_was_shielded_is_created_shielded`.)"""
    review = _possible_match(world)
    Child.objects.filter(pk=child.pk).update(local_authority=world.south, shielded=True)
    page = signed_in(world.dara).get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert "LS1 4AB" not in page  # the moved candidate is not shown: the data manager decides

    response = _new_child(world.dara, review)

    assert "now a record of another local authority" in response.content.decode()
    assert not Child.objects.exclude(pk=child.pk).exists(), "a second record of a shielded child"
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewDecided).exists()


def test_a_new_child_decided_by_the_la_team_after_the_candidate_was_shielded_is_created_shielded(
    world, child
):
    """The team shielded the candidate after the review opened; "none of these" is the same one click as on
    a shielded hold, and if the team is wrong a visible copy of that child would exist."""
    review = _possible_match(world)
    Child.objects.filter(pk=child.pk).update(shielded=True)

    _new_child(world.lena, review)

    assert Child.objects.exclude(pk=child.pk).get().shielded


def test_a_new_child_decided_after_the_candidate_was_closed_for_a_new_identity_is_refused(world, child):
    """The candidate was closed for a new identity (adoption, protection) after the review opened: the
    page no longer shows it, and "new child" recreated the birth identity as an active, searchable
    record (what `ReviewReason.CLOSED_IDENTITY` refuses when the row arrives after the close)."""
    review = _possible_match(world)
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)

    response = _new_child(world.dara, review)

    assert response.status_code == 400
    assert "closed for a new identity" in response.content.decode()
    assert Child.objects.filter(status=RecordStatus.ACTIVE).count() == 0
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewDecided).exists()


def test_a_new_child_with_nothing_resembling_it_now_is_created_visible(world, child):
    """The rule holds only what resembles a shielded or closed record now: otherwise as before."""
    review = _possible_match(world)

    _new_child(world.dara, review)

    created = Child.objects.exclude(pk=child.pk).get()
    assert not created.shielded and created.status == RecordStatus.ACTIVE
    assert AuditEvent.objects.get(tag=AuditTag.ReviewDecided).additional["created_shielded"] is False
