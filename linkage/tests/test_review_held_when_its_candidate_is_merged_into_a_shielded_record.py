"""An open review naming a record merged into a shielded one becomes a shielded hold, as one naming a child
shielded since does (session 22).

The classic repair of the 2009 failure is to merge a shielded child's unshielded duplicate into the shielded
record. A feed row that resembled the duplicate had opened an ordinary review naming it, in the data
manager's queue; the merge held only reviews naming the survivor, and only when the merge itself added the
shield. So the review of a row about (as the team has just decided) a shielded child stayed with the data
manager, incoming address and all; and shielding the survivor later did not hold it either, as it names
the merged record's id, not the survivor's.
"""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.shielding import shield_set
from linkage.merging import child_merge
from linkage.models import ClericalReview
from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in
from tests.personas import make_child


def _other_record(world, *, shielded: bool) -> Child:
    """The record kept: the child's record under another name, sharing no key with the feed's row."""
    return make_child(
        world, given_names="Millie", family_name="Brookes", postcode="LS7 3QQ", shielded=shielded
    )


def _held_from_the_data_manager(world, review: ClericalReview) -> None:
    stored = ClericalReview.objects.get(pk=review.pk)
    assert stored.shielded_hold
    assert AuditEvent.objects.filter(tag=AuditTag.ReviewHeld, additional__review_id=str(review.pk)).exists()
    dara = signed_in(world.dara)
    assert str(review.pk) not in dara.get(reverse("linkage:reviews")).content.decode()
    refused = dara.get(reverse("linkage:review", args=[review.pk]))
    assert refused.status_code == 403 and "LS9 9ZZ" not in refused.content.decode()
    assert str(review.pk) in signed_in(world.lena).get(reverse("linkage:reviews")).content.decode()


def test_merging_a_reviews_candidate_into_a_shielded_record_holds_the_review(world, child):
    review = _possible_match(world, child)
    survivor = _other_record(world, shielded=True)
    assert not ClericalReview.objects.get(pk=review.pk).shielded_hold  # the data manager's, so far

    child_merge(survivor=survivor, duplicate=child, by=world.lena)

    _held_from_the_data_manager(world, review)


def test_shielding_the_record_a_reviews_candidate_was_merged_into_holds_the_review(world, child):
    review = _possible_match(world, child)
    survivor = _other_record(world, shielded=False)
    child_merge(survivor=survivor, duplicate=child, by=world.lena)
    assert not ClericalReview.objects.get(pk=review.pk).shielded_hold

    shield_set(child=Child.objects.get(pk=survivor.pk), by=world.lena, shielded=True, reason="Risk of harm")

    _held_from_the_data_manager(world, review)


def test_a_merge_of_two_unshielded_records_leaves_the_review_with_the_data_manager(world, child):
    review = _possible_match(world, child)
    child_merge(survivor=_other_record(world, shielded=False), duplicate=child, by=world.lena)
    assert not ClericalReview.objects.get(pk=review.pk).shielded_hold
    assert signed_in(world.dara).get(reverse("linkage:review", args=[review.pk])).status_code == 200
