"""An ordinary review naming a child shielded in another LA goes to that child's LA team, held, as the
same row sent now would.

A review naming two North children (too close to call) stayed in North's ordinary queue when one of them
moved to South and South's team shielded it: North still held the other (`other_las_holding`), so its
team "could judge it". North's data manager was then shown the incoming row (where it says the child
lives) and could link it into the visible twin, whereas the same row sent now is held for South's team
alone (`linkage.linking.creation_hold`: a row resembling a shielded child goes to that child's LA team).
Such a review now goes where ingest would send the row: held for the shielded child's LA team, once the
shield commits (`linkage.holding._reviews_elsewhere_follow`), or by the daily sweep if that step was lost.
Meanwhile the review page offers no link, and a link posted is refused in words, nothing written.
"""

from html import unescape

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from lifecycle.moves import transfer_accept, transfer_request
from lifecycle.shielding import shield_set
from linkage.holds_sweep import holds_sweep
from linkage.models import ClericalReview, ReviewStatus
from linkage.tests.test_ordinary_review_follows_its_candidates import _moved_to, _too_close
from linkage.views import SHIELDED_ELSEWHERE_NOTICE, SHIELDED_ELSEWHERE_WORDS
from tests.journeys import signed_in
from tests.other_la import east_la
from tests.personas import make_user


def _page(user, review):
    return signed_in(user).get(reverse("linkage:review", args=[review.pk]))


@pytest.mark.django_db(transaction=True)  # the shield's step runs after its commit
def test_a_review_naming_a_child_shielded_in_another_la_goes_there_held_and_the_old_la_is_refused(
    world, child
):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    review, twin = _too_close(world, child)
    transfer = transfer_request(
        child=Child.objects.get(pk=child.pk), to_la=world.south, by=world.lena, reason="Moved to Southborough"
    )
    assert transfer_accept(transfer=transfer, by=stella)
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk  # twin North's

    assert shield_set(child=Child.objects.get(pk=child.pk), by=stella, shielded=True, reason="Refuge")

    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.local_authority_id, stored.shielded_hold, stored.status) == (
        world.south.pk,
        True,
        ReviewStatus.OPEN,
    )
    for north in (world.dara, world.lena):
        response = _page(north, review)
        assert response.status_code == 403
        assert "Thornton" not in response.content.decode()
    assert str(review.pk) not in signed_in(world.dara).get(reverse("linkage:reviews")).content.decode()
    page = _page(stella, review).content.decode()
    assert "Could be a shielded child" in signed_in(stella).get(reverse("linkage:reviews")).content.decode()
    assert f'value="{child.pk}"' in page and f'value="{twin.pk}"' not in page  # South's child, not North's
    followed = AuditEvent.objects.get(tag=AuditTag.ReviewFollowed, additional__review_id=str(review.pk))
    assert (followed.additional["from_la_id"], followed.additional["to_la_id"]) == (
        world.north.pk,
        world.south.pk,
    )
    assert AuditEvent.objects.filter(tag=AuditTag.ReviewHeld, additional__review_id=str(review.pk)).exists()


def test_the_sweep_sends_a_review_naming_a_child_shielded_in_another_la_there_held(world, child):
    """The state a lost after-commit step leaves, made directly."""
    review, _twin = _too_close(world, child)
    Child.objects.filter(pk=child.pk).update(local_authority=world.south, shielded=True)

    outcome = holds_sweep()

    assert outcome.followed == [str(review.pk)] and outcome.held == [str(review.pk)]
    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.local_authority_id, stored.shielded_hold) == (world.south.pk, True)


def test_the_sweep_leaves_for_a_person_a_review_naming_children_shielded_in_two_other_las(world, child):
    review, twin = _too_close(world, child)
    Child.objects.filter(pk=child.pk).update(local_authority=world.south, shielded=True)
    Child.objects.filter(pk=twin.pk).update(local_authority=east_la(world), shielded=True)

    outcome = holds_sweep()

    assert outcome.left == [str(review.pk)] and outcome.followed == []
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk


def test_a_review_still_naming_only_unshielded_children_elsewhere_stays_with_its_la(world, child):
    """Control: the rule before the shield (North holds the twin, its team judges the review)."""
    review, _twin = _too_close(world, child)
    _moved_to(child, world.south)

    assert holds_sweep().followed == []
    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.local_authority_id, stored.shielded_hold) == (world.north.pk, False)
    assert 'name="child"' in _page(world.dara, review).content.decode()


def test_before_it_moves_the_review_page_offers_no_link_and_a_link_posted_is_refused(world, child):
    """Defence in depth: the review not moved yet (the step lost, the sweep not run), North's data
    manager is offered "not a match" only, and a link into the visible twin is refused in words."""
    review, twin = _too_close(world, child)
    Child.objects.filter(pk=child.pk).update(local_authority=world.south, shielded=True)
    client = signed_in(world.dara)
    url = reverse("linkage:review", args=[review.pk])

    page = unescape(client.get(url).content.decode())
    assert SHIELDED_ELSEWHERE_NOTICE in page
    assert 'value="link"' not in page and 'value="not_a_match"' in page

    before = child_details(Child.objects.get(pk=twin.pk))
    response = client.post(url, {"decision": "link", "child": str(twin.pk), "shown": [str(twin.pk)]})

    assert response.status_code == 400
    assert SHIELDED_ELSEWHERE_WORDS in unescape(response.content.decode())
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN
    assert child_details(Child.objects.get(pk=twin.pk)) == before
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewDecided).exists()


def test_not_a_match_is_still_decided_on_such_a_review(world, child):
    review, _twin = _too_close(world, child)
    Child.objects.filter(pk=child.pk).update(local_authority=world.south, shielded=True)

    response = signed_in(world.dara).post(
        reverse("linkage:review", args=[review.pk]), {"decision": "not_a_match"}
    )

    assert response.status_code == 302
    assert ClericalReview.objects.get(pk=review.pk).status != ReviewStatus.OPEN


def test_a_link_decided_as_the_other_child_is_shielded_elsewhere_is_refused_under_the_locks(
    world, child, monkeypatch
):
    """The page checked before the shield committed; the decision judges the children again under their
    key locks and refuses the link in words, nothing written."""
    import linkage.views

    review, twin = _too_close(world, child)
    real = linkage.views.review_decide

    def shielded_first(*args, **kwargs):
        Child.objects.filter(pk=child.pk).update(local_authority=world.south, shielded=True)
        return real(*args, **kwargs)

    monkeypatch.setattr(linkage.views, "review_decide", shielded_first)
    before = child_details(Child.objects.get(pk=twin.pk))

    response = signed_in(world.dara).post(
        reverse("linkage:review", args=[review.pk]),
        {"decision": "link", "child": str(twin.pk), "shown": [str(child.pk), str(twin.pk)]},
    )

    assert response.status_code == 400
    assert SHIELDED_ELSEWHERE_WORDS in unescape(response.content.decode())
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN
    assert child_details(Child.objects.get(pk=twin.pk)) == before
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewDecided).exists()


@pytest.mark.django_db(transaction=True)
def test_the_move_failing_in_the_shields_transaction_never_fails_the_shield_and_is_made_after_it(
    world, child, monkeypatch
):
    from linkage import holding

    stella = make_user("stella", world.south, Role.LA_TEAM)
    review, _twin = _too_close(world, child)
    _moved_to(child, world.south)
    real, calls = holding._reviews_elsewhere_put_right, []

    def failing_first(*args, **kwargs):
        calls.append("called")
        if len(calls) == 1:
            raise RuntimeError("synthetic failure in the shield's transaction")
        return real(*args, **kwargs)

    monkeypatch.setattr(holding, "_reviews_elsewhere_put_right", failing_first)

    assert shield_set(child=Child.objects.get(pk=child.pk), by=stella, shielded=True, reason="Refuge")

    assert Child.objects.get(pk=child.pk).shielded
    assert len(calls) == 2  # then the step after the commit
    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.local_authority_id, stored.shielded_hold) == (world.south.pk, True)
