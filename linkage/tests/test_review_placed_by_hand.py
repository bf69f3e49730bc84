"""`manage.py review_place`: an operator places a review the daily sweep leaves for a person.

A review none of whose children its LA holds any more, held by two or more other LAs, cannot follow them
(`linkage.holds_sweep` leaves it and exits non-zero every night): its own team is shown no candidate, so it
could only be closed "not a match", and a row that is one of those children reached no record. Placed by
hand with one LA holding one of its children, that team is shown them and may link the row.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from linkage.models import ClericalReview, ReviewStatus
from linkage.tests.test_ordinary_review_follows_its_candidates import _moved_to, _too_close
from tests.journeys import signed_in
from tests.other_la import east_la
from tests.personas import make_user


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


def _split(world, child):
    """A review of North whose two candidates South and East now hold."""
    review, twin = _too_close(world, child)
    _moved_to(child, world.south)
    _moved_to(twin, east_la(world))
    return review


def _place(review, la, *extra) -> str:
    return call_command("review_place", str(review.pk), "--to", la.code, *extra)


def test_a_review_the_sweep_left_is_placed_with_an_la_holding_one_of_its_children_whose_team_links_it(
    world, child, stella, capsys
):
    review = _split(world, child)

    _place(review, world.south, "--apply")

    review.refresh_from_db()
    assert review.local_authority_id == world.south.pk
    placed = AuditEvent.objects.get(tag=AuditTag.ReviewFollowed)
    assert placed.additional == {
        "review_id": str(review.pk),
        "from_la_id": world.north.pk,
        "to_la_id": world.south.pk,
        "placed_by_hand": True,
    }
    out = capsys.readouterr().out
    assert f"review {review.pk} placed with {world.south.code}" in out and "Thornton" not in out
    call_command("holds_sweep")  # no longer left: its LA holds one of its children (no CommandError)
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.south.pk

    page = signed_in(stella).get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert f'value="{child.pk}"' in page and 'value="new_child"' not in page  # East still holds the twin
    signed_in(stella).post(
        reverse("linkage:review", args=[review.pk]),
        {"decision": "link", "child": str(child.pk), "shown": [str(child.pk)]},
    )
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.LINKED


def test_without_apply_it_says_what_it_would_do_and_moves_nothing(world, child, capsys):
    review = _split(world, child)

    _place(review, world.south)

    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewFollowed).exists()
    assert "DRY RUN" in capsys.readouterr().out


def test_a_review_whose_own_la_still_holds_one_of_its_children_is_not_placed(world, child):
    review, _twin = _too_close(world, child)
    _moved_to(child, world.south)  # the twin is still North's: its team judges the review

    with pytest.raises(CommandError, match="its own local authority still holds"):
        _place(review, world.south, "--apply")

    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk


def test_a_review_is_not_placed_with_an_la_holding_none_of_its_children(world, child):
    review = _split(world, child)

    with pytest.raises(CommandError, match="holds none of the children"):
        _place(review, world.north, "--apply")
    with pytest.raises(CommandError, match="no local authority"):
        call_command("review_place", str(review.pk), "--to", world.north_school.code, "--apply")

    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk


def test_a_review_placed_where_one_of_its_children_is_shielded_is_held_for_that_team(world, child):
    review = _split(world, child)
    type(child).objects.filter(pk=child.pk).update(shielded=True)  # shielded at South, as a shield leaves it

    _place(review, world.south, "--apply")

    review.refresh_from_db()
    assert review.local_authority_id == world.south.pk and review.shielded_hold
    assert AuditEvent.objects.filter(tag=AuditTag.ReviewHeld, additional__review_id=str(review.pk)).exists()


def test_a_decided_or_unknown_review_is_refused_in_words(world, child):
    review = _split(world, child)
    ClericalReview.objects.filter(pk=review.pk).update(status=ReviewStatus.NOT_A_MATCH)

    with pytest.raises(CommandError, match="not open"):
        _place(review, world.south, "--apply")
    with pytest.raises(CommandError, match="no review"):
        call_command("review_place", "00000000-0000-0000-0000-000000000000", "--to", world.south.code)
    with pytest.raises(CommandError, match="no local authority"):
        call_command("review_place", str(review.pk), "--to", "NO-SUCH-LA")
