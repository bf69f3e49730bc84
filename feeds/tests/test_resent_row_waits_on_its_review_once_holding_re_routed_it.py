"""A row's open review re-routed by `linkage.holding` (held once a child it names is shielded; a hold
moved with its shielded child to another LA) still takes the row's resends.

The row's token (`linkage.services.review_row_token`) names the routing the engine gives the row: its own
LA for an ordinary review, the shielded child's LA for a hold. A shield on a child an open review names
holds that review in its LA, and a resend is then held for that same team by the engine, so the review's
token is renewed with the routing it now has; a hold follows its child to another LA, and so does its
token. (An ordinary review following its candidates keeps its token: the engine still sends that row to
the row's own LA.) Without this the resend found no review under the token and opened a second review of
the same row from the same source: two "new child" decisions, two records of one child."""

import pytest

from accounts.models import Role
from children.models import Child
from feeds.models import FeedRow
from feeds.tests.factories import feed_rows_ingest, health_source
from feeds.tests.test_resent_row_waits_on_its_open_review import _possible_match_row, _shielded_row
from lifecycle.moves import transfer_accept, transfer_request
from lifecycle.shielding import shield_set
from linkage.models import ClericalReview, ReviewStatus
from tests.personas import make_child, make_user


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


def _open() -> list:
    return list(ClericalReview.objects.filter(status=ReviewStatus.OPEN).values_list("pk", flat=True))


def _rows() -> list:
    return list(FeedRow.objects.order_by("pk").values_list("review_id", flat=True))


def _transferred(world, child, by) -> None:
    transfer = transfer_request(
        child=Child.objects.get(pk=child.pk), to_la=world.south, by=world.lena, reason="Moved to Southborough"
    )
    assert transfer_accept(transfer=transfer, by=by)


def test_a_resend_waits_on_its_review_once_a_shield_held_it(world):
    child = make_child(world)
    source = health_source(world)
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-01")
    review = ClericalReview.objects.get()
    assert not review.shielded_hold

    shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
    review.refresh_from_db()
    assert review.shielded_hold

    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-02")
    assert _open() == [review.pk] and _rows() == [review.pk, review.pk]


def test_a_resend_waits_on_its_hold_once_the_hold_followed_its_child_to_another_la(
    world, shielded_child, stella
):
    source = health_source(world, las=[world.north, world.south])
    feed_rows_ingest(source, [_shielded_row()], batch_id="2026-12-01")
    hold = ClericalReview.objects.get()
    assert (hold.local_authority_id, hold.shielded_hold) == (world.north.pk, True)

    _transferred(world, shielded_child, stella)
    hold.refresh_from_db()
    assert hold.local_authority_id == world.south.pk

    feed_rows_ingest(source, [_shielded_row()], batch_id="2026-12-02")
    assert _open() == [hold.pk] and _rows() == [hold.pk, hold.pk]
    assert Child.objects.count() == 1


def test_a_resend_waits_on_an_ordinary_review_that_followed_its_candidate(world, stella):
    child = make_child(world)
    source = health_source(world, las=[world.north, world.south])
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-01")
    review = ClericalReview.objects.get()

    _transferred(world, child, stella)
    review.refresh_from_db()
    assert (review.local_authority_id, review.shielded_hold) == (world.south.pk, False)

    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-02")
    assert _open() == [review.pk] and _rows() == [review.pk, review.pk]


def test_a_shield_holding_a_review_whose_row_already_has_a_hold_keeps_both_and_fails_nothing(world):
    """The first copy's ordinary review names Amelia; a shielded child the row resembles was recorded since,
    so the second copy was held for the team (a review of its own). Amelia shielded now holds the first
    review too: its renewed token would be the hold's, which keeps it (one open review per token); the
    shield is applied, and the next copy waits on the hold."""
    child = make_child(world)
    source = health_source(world)
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-01")
    first = ClericalReview.objects.get()
    make_child(world, postcode="LS2 9JT", shielded=True)
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-02")
    hold = ClericalReview.objects.exclude(pk=first.pk).get()
    assert hold.shielded_hold

    shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
    first.refresh_from_db()
    assert first.shielded_hold and Child.objects.get(pk=child.pk).shielded
    assert first.row_token != hold.row_token

    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-03")
    assert sorted(_open()) == sorted([first.pk, hold.pk])
    assert _rows() == [first.pk, hold.pk, hold.pk]


def test_a_resend_waits_on_a_review_that_followed_its_candidate_and_was_held_there(world, stella):
    """Followed to South with its candidate (its token kept: the engine still sends the row to North's
    ordinary queue), then held there once South's team shielded the child (its token renewed: the engine
    now holds the row for South's team)."""
    child = make_child(world)
    source = health_source(world, las=[world.north, world.south])
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-01")
    review = ClericalReview.objects.get()
    _transferred(world, child, stella)
    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-02")

    shield_set(child=Child.objects.get(pk=child.pk), by=stella, shielded=True, reason="Risk of harm")
    review.refresh_from_db()
    assert (review.local_authority_id, review.shielded_hold) == (world.south.pk, True)

    feed_rows_ingest(source, [_possible_match_row()], batch_id="2026-12-03")
    assert _open() == [review.pk] and _rows() == [review.pk] * 3
