"""`manage.py review_place` never hands a review about a shielded child to a team that cannot see it.

A row resembling a shielded child is judged by that child's LA team (`linkage.linking.creation_hold`;
`feeds.review`): it alone sees the child beside the row. Placed by hand with another LA holding another
child the review names, that team would be shown the row (where it says the child lives) and not the
shielded child, and could link the row into its own, visible record: the shielded child's whereabouts in
a record anyone may open. So a review one of whose children is shielded is placed only with an LA holding
a shielded one of them.
"""

import pytest
from django.core.management.base import CommandError

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from linkage.models import ClericalReview
from linkage.tests.test_review_placed_by_hand import _place, _split
from tests.other_la import east_la


def test_a_review_naming_a_child_shielded_at_one_la_is_not_placed_with_another(world, child):
    review = _split(world, child)  # North's review: the child now South's, its twin East's
    Child.objects.filter(pk=child.pk).update(shielded=True)  # shielded at South

    with pytest.raises(CommandError, match="shielded"):
        _place(review, east_la(world), "--apply")

    review.refresh_from_db()
    assert review.local_authority_id == world.north.pk and not review.shielded_hold
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewFollowed).exists()


def test_a_hold_is_not_placed_with_an_la_not_holding_its_shielded_child(world, child):
    review = _split(world, child)
    Child.objects.filter(pk=child.pk).update(shielded=True)
    ClericalReview.objects.filter(pk=review.pk).update(shielded_hold=True)  # held for North's team

    with pytest.raises(CommandError, match="shielded"):
        _place(review, east_la(world))  # the dry run says so too

    _place(review, world.south, "--apply")  # the shielded child's LA may have it
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.south.pk
