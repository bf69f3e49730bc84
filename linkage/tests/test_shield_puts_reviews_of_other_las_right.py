"""A shield sends the reviews of other LAs naming its child where an accept would have (`linkage.holding
._reviews_elsewhere_follow`): the state an accept leaves when a shield held a child's row as it ran
(`test_review_skipped_by_an_accept_held_by_the_shield.py`), made directly."""

import pytest

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.shielding import shield_set
from linkage.models import ClericalReview
from linkage.tests.test_ordinary_review_follows_its_candidates import _moved_to, _too_close
from tests.personas import make_user


@pytest.mark.django_db(transaction=True)  # the shield's step runs after its commit
def test_a_shield_puts_a_review_of_another_la_naming_the_child_with_the_childs_team_held(world, child):
    """The state the race leaves, made directly: a review still North's whose children South now both
    holds (an accept's moves lost). Shielding one of them sends it to South, held, without the sweep."""
    sunita = make_user("sunita", world.south, Role.LA_TEAM)
    review, twin = _too_close(world, child)
    _moved_to(twin, world.south)
    _moved_to(child, world.south)
    assert shield_set(child=Child.objects.get(pk=twin.pk), by=sunita, shielded=True, reason="Risk of harm")
    stored = ClericalReview.objects.get(pk=review.pk)
    assert stored.local_authority_id == world.south.pk and stored.shielded_hold


@pytest.mark.django_db(transaction=True)
def test_a_shield_sends_a_review_whose_own_la_still_holds_one_of_its_children_to_the_shielded_childs_team(
    world, child
):
    """North still holds the child, but the review names a child now shielded in South: the same row sent
    now would be held for South's team alone, so the review goes there, held (session 38 review: left
    with North, its data manager could link the incoming row into the visible twin)."""
    sunita = make_user("sunita", world.south, Role.LA_TEAM)
    review, twin = _too_close(world, child)
    _moved_to(twin, world.south)
    assert shield_set(child=Child.objects.get(pk=twin.pk), by=sunita, shielded=True, reason="Risk of harm")
    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.local_authority_id, stored.shielded_hold) == (world.south.pk, True)
    followed = AuditEvent.objects.get(tag=AuditTag.ReviewFollowed)
    assert followed.additional["review_id"] == str(review.pk)
    assert (followed.additional["from_la_id"], followed.additional["to_la_id"]) == (
        world.north.pk,
        world.south.pk,
    )
