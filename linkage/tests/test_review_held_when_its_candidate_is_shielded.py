"""A review waiting when one of its candidates is shielded moves to that child's LA team's queue.

A review opened before the shield named the child to the data manager's queue, who could no longer open
it (refused: the candidate is shielded) yet kept seeing it listed; nobody in the LA team was shown it
among the shielded holds only it may decide. The shield now holds such reviews, in its own transaction,
audited (the review's id, never the child's details).
"""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.shielding import shield_set
from linkage.models import ClericalReview
from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in
from tests.personas import make_child


def test_shielding_a_candidate_moves_its_open_review_to_the_la_teams_queue_only(world, child):
    review = _possible_match(world, child)
    other = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    assert str(review.pk) in signed_in(world.dara).get(reverse("linkage:reviews")).content.decode()
    shield_set(child=Child.objects.get(pk=other.pk), by=world.lena, shielded=True, reason="Not a candidate")
    review.refresh_from_db()
    assert not review.shielded_hold  # a shield of a child the review does not name changes nothing
    shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
    review.refresh_from_db()
    assert review.shielded_hold
    assert str(review.pk) not in signed_in(world.dara).get(reverse("linkage:reviews")).content.decode()
    queue = signed_in(world.lena).get(reverse("linkage:reviews")).content.decode()
    assert str(review.pk) in queue and "Could be a shielded child" in queue
    (event,) = AuditEvent.objects.filter(tag=AuditTag.ReviewHeld)
    assert event.actor_id is None and event.additional["review_id"] == str(review.pk)
    assert event.child_id is None  # the review names no child of its own; the shield's event names it


def test_lifting_the_shield_leaves_the_review_held(world, child):
    review = _possible_match(world, child)
    shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
    shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=False, reason="Risk passed")
    assert ClericalReview.objects.get(pk=review.pk).shielded_hold  # judged by the team that held it


def test_a_merge_carrying_a_shield_onto_a_candidate_holds_its_review(world, child):
    from linkage.merging import child_merge

    review = _possible_match(world, child)
    duplicate = make_child(
        world, given_names="Amelia", family_name="Thornton", postcode="LS6 1AA", shielded=True
    )
    child_merge(survivor=Child.objects.get(pk=child.pk), duplicate=duplicate, by=world.lena)
    assert Child.objects.get(pk=child.pk).shielded
    assert ClericalReview.objects.get(pk=review.pk).shielded_hold
    assert AuditEvent.objects.filter(tag=AuditTag.ReviewHeld, additional__review_id=str(review.pk)).exists()


def test_a_review_whose_copy_is_being_shredded_does_not_stop_the_shield(world, child):
    """A decision (or a purge) shreds the review's copy in its transaction, revoking the key at the
    provider first: until it commits the review still reads as open. Shielding the child at that moment
    must not fail on the review it can no longer open; the decision closes the review anyway."""
    from vault.providers import key_provider

    review = _possible_match(world, child)
    key_provider().revoke([str(review.data_key_id)])  # the shred's first step: its database write to follow
    shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
    assert Child.objects.get(pk=child.pk).shielded
    assert AuditEvent.objects.filter(tag=AuditTag.ShieldApplied, child_id=child.pk).exists()
    assert not ClericalReview.objects.get(pk=review.pk).shielded_hold
