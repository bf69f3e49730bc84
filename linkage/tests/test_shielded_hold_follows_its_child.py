"""A shielded hold follows its child when another LA accepts the record.

A feed row that could be a shielded child is held for that child's LA team (`linkage.holding`). Once the
child was transferred, the hold stayed in the old LA's queue: its team was shown no candidate (the child
is no longer its record: `review_candidates_shown`) and could only guess, while the new LA team, the only
people who may now decide about the child, never saw it. The accept now moves the hold, in its own
transaction, to the team that holds the child.
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.moves import transfer_accept, transfer_decline, transfer_request
from linkage.selectors import review_candidate_ids
from linkage.tests.test_review_pages import _shielded_hold
from tests.journeys import signed_in
from tests.personas import make_child, make_user


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


def _transfer(world, child):
    return transfer_request(
        child=Child.objects.get(pk=child.pk), to_la=world.south, by=world.lena, reason="Moved to Southborough"
    )


def _queue(user) -> str:
    return signed_in(user).get(reverse("linkage:reviews")).content.decode()


def test_an_accepted_transfer_moves_the_shielded_hold_to_the_new_la_team(world, shielded_child, stella):
    review = _shielded_hold(world, shielded_child)
    assert review.local_authority_id == world.north.pk
    assert transfer_accept(transfer=_transfer(world, shielded_child), by=stella)

    review.refresh_from_db()
    assert (review.local_authority_id, review.shielded_hold) == (world.south.pk, True)
    assert str(review.pk) in _queue(stella)
    assert str(review.pk) not in _queue(world.lena)
    page = signed_in(stella).get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert "Okafor" in page and 'name="child"' in page  # the candidate shown: the team can decide
    assert signed_in(world.lena).get(reverse("linkage:review", args=[review.pk])).status_code == 403
    (accepted,) = AuditEvent.objects.filter(tag=AuditTag.TransferAccepted)
    assert accepted.additional["reviews_followed"] == [str(review.pk)]
    (followed,) = AuditEvent.objects.filter(tag=AuditTag.ReviewFollowed)
    assert followed.additional == {
        "review_id": str(review.pk),
        "from_la_id": world.north.pk,
        "to_la_id": world.south.pk,
    }


def test_a_declined_transfer_leaves_the_hold_where_it_is(world, shielded_child, stella):
    review = _shielded_hold(world, shielded_child)
    assert transfer_decline(transfer=_transfer(world, shielded_child), by=stella, reason="Not ours")
    review.refresh_from_db()
    assert review.local_authority_id == world.north.pk
    assert str(review.pk) in _queue(world.lena) and str(review.pk) not in _queue(stella)


def test_a_hold_naming_another_child_of_the_old_la_too_stays_with_its_team(world, shielded_child, stella):
    """The old team still holds a child the review names: it is the one still able to judge it."""
    make_child(world, given_names="Jasmine", family_name="Okafor", postcode="LS6 2QT", shielded=True)
    review = _shielded_hold(world, shielded_child)
    assert len(review_candidate_ids(review)) == 2
    assert transfer_accept(transfer=_transfer(world, shielded_child), by=stella)
    review.refresh_from_db()
    assert review.local_authority_id == world.north.pk
    assert not AuditEvent.objects.get(tag=AuditTag.TransferAccepted).additional.get("reviews_followed")
