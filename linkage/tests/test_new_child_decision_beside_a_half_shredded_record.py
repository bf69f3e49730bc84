"""A reviewer's "new child" beside a shielded record whose shred did not finish: made shielded, never a 500.

"New child" judges the row again on the index as it is now (`linkage.linking.creation_hold`), scoring
every shielded child sharing a key with it. One left behind by a merge that failed after its shred (its
key refused by the provider, its row still active and shielded: `lifecycle.removal`) cannot be read, and
the decision failed with a server error every time it was tried. Nothing of it says the row is someone
else, so the new record is made shielded, as beside any shielded child the row may be.
"""

from datetime import date

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds.models import FeedRow, RowOutcome
from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.models import ClericalReview, ReviewReason, ReviewStatus
from tests.journeys import signed_in
from tests.personas import make_child
from tests.review_pages import decision_posted
from tests.shredding import shred_rolled_back

# The row: Amelia Thornton, a date one digit out from `child`'s and a new postcode (a possible match).
ROW = {"given_names": "Amelia", "family_name": "Thornton", "date_of_birth": "2015-03-14"}


def _row(**extra):
    return feed_row(**{**ROW, "postcode": "LS9 9ZZ", "nhs_number": None, **extra})


def _shielded_left_shredded(world):
    """A shielded record the row resembles, left active and unreadable by a merge failing after its shred."""
    shielded = make_child(world, date_of_birth=date(2015, 3, 14), postcode="LS9 9ZZ", shielded=True)
    shred_rolled_back(shielded)
    return shielded


def test_new_child_on_an_ordinary_review_beside_a_shielded_record_left_shredded_is_made_shielded(
    world, child
):
    health_rows_ingest(world, [_row()])
    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.POSSIBLE_MATCH and not review.shielded_hold
    shielded = _shielded_left_shredded(world)

    response = decision_posted(world.lena, review, decision="new_child")

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.NEW_CHILD
    made = Child.objects.exclude(pk__in=[child.pk, shielded.pk]).get()
    assert made.shielded, "a visible record beside a shielded child"
    [decided] = AuditEvent.objects.filter(tag=AuditTag.ReviewDecided)
    assert decided.additional["created_shielded"] is True


def test_a_row_held_for_a_shielded_record_left_shredded_is_decided_by_its_team(world):
    shielded = _shielded_left_shredded(world)
    health_rows_ingest(world, [_row()])
    assert FeedRow.objects.get().outcome == RowOutcome.REVIEW
    review = ClericalReview.objects.get()
    assert review.shielded_hold and review.local_authority_id == shielded.local_authority_id

    # The data manager is not shown it; the LA team's page opens, showing the row and no record.
    assert str(review.pk) not in signed_in(world.dara).get(reverse("linkage:reviews")).content.decode()
    page = signed_in(world.lena).get(reverse("linkage:review", args=[review.pk]))
    assert page.status_code == 200 and "LS9 9ZZ" in page.content.decode()

    response = decision_posted(world.lena, review, decision="new_child")

    assert response.status_code == 302
    assert Child.objects.exclude(pk=shielded.pk).get().shielded


def test_the_hold_goes_with_the_record_once_its_team_has_it_removed(world):
    """The row may be that child's identity: deleted as a purge deletes (`lifecycle.removal`), the record
    takes the review's copy with it (`linkage.retention`), as an archived look-alike's purge does."""
    from lifecycle.removal import removal_complete

    shielded = _shielded_left_shredded(world)
    health_rows_ingest(world, [_row()])
    review = ClericalReview.objects.get()

    assert removal_complete(child_id=shielded.pk, shielded_checked=True)

    review.refresh_from_db()
    assert review.status == ReviewStatus.WITHDRAWN and review.copy_shredded_at is not None
