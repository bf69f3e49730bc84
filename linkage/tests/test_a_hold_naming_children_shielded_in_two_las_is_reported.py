"""A hold naming a child shielded in its own LA and another shielded in a second LA is reported by the daily
sweep for a person to place, and its page says why no link is offered.

South shields one of two children a review names (the review moves to South, held); East then shields the
other. South's team may not link the row (it may be East's shielded child: `review_shielded_elsewhere`) nor
make a new child of it (East holds one); the hold does not follow (South holds a child it names). It was
left to "not a match" alone, the sweep saying nothing. Now the sweep lists it in `left` (the command exits
non-zero), and South's page says it stays there, reported, and why it cannot be linked.
"""

from html import unescape

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import Role
from children.models import Child
from lifecycle.shielding import shield_set
from linkage.holding import review_shielded_elsewhere
from linkage.holds_sweep import holds_sweep
from linkage.models import ClericalReview, ReviewStatus
from linkage.placing import PlaceRefused, review_place
from linkage.tests.test_ordinary_review_follows_its_candidates import _moved_to, _too_close
from linkage.views import SHIELDED_ELSEWHERE_WORDS, SHIELDED_IN_TWO_LAS_NOTICE
from tests.journeys import signed_in
from tests.other_la import east_la
from tests.personas import make_user
from tests.review_pages import decision_posted


def _shielded_in_two_las(world, child):
    sunita = make_user("sunita", world.south, Role.LA_TEAM)
    edgar = make_user("edgar", east_la(world), Role.LA_TEAM)
    review, twin = _too_close(world, child)
    _moved_to(child, world.south)
    _moved_to(twin, east_la(world))
    assert shield_set(child=Child.objects.get(pk=child.pk), by=sunita, shielded=True, reason="Risk of harm")
    assert shield_set(child=Child.objects.get(pk=twin.pk), by=edgar, shielded=True, reason="Risk of harm")
    return review, sunita


@pytest.mark.django_db(transaction=True)  # the shields' steps run after their commits
def test_the_sweep_reports_a_hold_naming_children_shielded_in_two_las(world, child):
    review, _ = _shielded_in_two_las(world, child)
    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.local_authority_id, stored.shielded_hold) == (world.south.pk, True)
    assert review_shielded_elsewhere(stored)  # its team may not link it

    outcome = holds_sweep()

    assert str(review.pk) in outcome.left
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.south.pk  # left where it is
    with pytest.raises(CommandError, match="need a person"):
        call_command("holds_sweep")


@pytest.mark.django_db(transaction=True)
def test_its_page_says_why_no_link_is_offered_and_a_link_posted_is_still_refused(world, child):
    review, sunita = _shielded_in_two_las(world, child)

    page = unescape(signed_in(sunita).get(reverse("linkage:review", args=[review.pk])).content.decode())

    assert SHIELDED_IN_TWO_LAS_NOTICE in page
    assert "it is reported for a person to decide which team judges it" in page
    assert 'value="not_a_match"' in page
    assert 'value="link"' not in page and 'value="new_child"' not in page
    response = decision_posted(sunita, review, decision="link", child=str(child.pk))
    assert response.status_code == 400
    assert SHIELDED_ELSEWHERE_WORDS in unescape(response.content.decode())
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN


@pytest.mark.django_db(transaction=True)
def test_a_hold_whose_children_one_other_la_holds_still_follows_them_unreported(world, child):
    sunita = make_user("sunita", world.south, Role.LA_TEAM)
    review, twin = _too_close(world, child)
    _moved_to(child, world.south)
    _moved_to(twin, world.south)
    assert shield_set(child=Child.objects.get(pk=child.pk), by=sunita, shielded=True, reason="Risk of harm")
    assert ClericalReview.objects.get(pk=review.pk).shielded_hold

    outcome = holds_sweep()

    assert outcome.left == []


@pytest.mark.django_db(transaction=True)
def test_placing_it_by_hand_says_why_no_team_may_link_it(world, child):
    review, _ = _shielded_in_two_las(world, child)

    with pytest.raises(
        PlaceRefused, match=r"shielded in more than one local authority \(LA-E, LA-S\)"
    ) as refused:
        review_place(review_id=review.pk, to_la=east_la(world), apply=True)

    assert "no team may link it" in str(refused.value)
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.south.pk


@pytest.mark.django_db(transaction=True)
def test_a_hold_whose_own_shield_was_lifted_is_reported_and_placed_with_the_shielding_la(world, child):
    review, sunita = _shielded_in_two_las(world, child)
    assert shield_set(child=Child.objects.get(pk=child.pk), by=sunita, shielded=False, reason="Risk passed")
    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.local_authority_id, stored.shielded_hold) == (world.south.pk, True)
    assert review_shielded_elsewhere(stored)  # South's team still may not link it: East's twin is shielded

    assert str(review.pk) in holds_sweep().left

    placed = review_place(review_id=review.pk, to_la=east_la(world), apply=True)

    assert placed.applied
    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.local_authority_id, stored.shielded_hold) == (east_la(world).pk, True)
    assert not review_shielded_elsewhere(stored)  # East's team may link it to its own shielded child
    assert holds_sweep().left == []
