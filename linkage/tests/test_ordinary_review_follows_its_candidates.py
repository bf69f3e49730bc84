"""An ordinary review whose candidates another LA now holds goes to that LA's team, as a shielded hold does.

A row between the thresholds opens a review for its own LA's team, showing only candidates still that
LA's records (`review_candidates_shown`). Once the candidate was transferred, the old team was shown no
candidate at all and could decide "new child": a second record of a child another LA holds, the
duplicate the index exists to prevent, while the team holding the child never saw the row. The review now
follows its candidates (the accept, its after-commit step and the daily sweep, as holds do); one whose
candidates are split with its own LA stays; one whose candidates two or more other LAs hold is left for a
person; and "new child" is refused in words to a team some of whose candidates another LA holds.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import BlockingKeyEntry, Child
from feeds.tests.factories import feed_row, health_rows_ingest
from lifecycle.models import Transfer
from lifecycle.moves import transfer_accept, transfer_request
from linkage.holds_sweep import holds_sweep
from linkage.models import ClericalReview, ReviewReason, ReviewStatus
from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in
from tests.other_la import east_la
from tests.personas import make_child, make_user
from tests.review_pages import decision_posted

HELD_ELSEWHERE = "now a record of another local authority"


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


def _accepted(world, child, by) -> None:
    transfer = transfer_request(
        child=Child.objects.get(pk=child.pk), to_la=world.south, by=world.lena, reason="Moved to Southborough"
    )
    assert transfer_accept(transfer=transfer, by=by)


def _moved_to(child: Child, la) -> None:
    """The record as an accept whose after-commit step was lost (or a review opened before) leaves it."""
    Child.objects.filter(pk=child.pk).update(local_authority=la)


def _too_close(world, child) -> tuple[ClericalReview, Child]:
    """Amelia Thornton with no address: two North records of her too close to call (two candidates)."""
    twin = make_child(world, postcode="LS2 9JT")
    health_rows_ingest(
        world,
        [
            feed_row(
                given_names="Amelia",
                family_name="Thornton",
                date_of_birth="2015-03-04",
                postcode=None,
                address_line=None,
                town=None,
                nhs_number=None,
            )
        ],
    )
    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.TOO_CLOSE
    return review, twin


def _twin_south_child_on_its_way(world, child) -> tuple[ClericalReview, Child, Transfer]:
    """`_too_close`'s review with one candidate (the twin) South's already and the other asked to move
    there. The two were found by different keys (a slip in a field): the twin keeps only keys the child is
    not filed under, so a shield of one takes no key lock an accept of the other needs, and only the
    twin's row stands between them."""
    review, twin = _too_close(world, child)
    _moved_to(twin, world.south)
    shared = BlockingKeyEntry.objects.filter(child_id=child.pk).values_list("digest", flat=True)
    BlockingKeyEntry.objects.filter(child_id=twin.pk, digest__in=list(shared)).delete()
    transfer = transfer_request(
        child=Child.objects.get(pk=child.pk), to_la=world.south, by=world.lena, reason="Moved to Southborough"
    )
    return review, twin, transfer


def _page(user, review) -> str:
    return signed_in(user).get(reverse("linkage:review", args=[review.pk])).content.decode()


def _new_child(user, review):
    return decision_posted(user, review, decision="new_child")


def _queue(user) -> str:
    return signed_in(user).get(reverse("linkage:reviews")).content.decode()


def test_an_accepted_transfer_moves_the_ordinary_review_to_the_team_now_holding_its_candidate(
    world, child, stella
):
    review = _possible_match(world, child)
    _accepted(world, child, stella)

    review.refresh_from_db()
    assert (review.local_authority_id, review.shielded_hold, review.status) == (
        world.south.pk,
        False,
        ReviewStatus.OPEN,
    )
    assert str(review.pk) in _queue(stella) and str(review.pk) not in _queue(world.lena)
    page = _page(stella, review)
    assert "LS1 4AB" in page and 'name="child"' in page  # the candidate shown: South can judge it
    assert signed_in(world.lena).get(reverse("linkage:review", args=[review.pk])).status_code == 403
    before = Child.objects.count()
    assert _new_child(world.lena, review).status_code == 403  # the old team can no longer make a duplicate
    assert Child.objects.count() == before
    (accepted,) = AuditEvent.objects.filter(tag=AuditTag.TransferAccepted)
    assert accepted.additional["reviews_followed"] == [str(review.pk)]
    (followed,) = AuditEvent.objects.filter(tag=AuditTag.ReviewFollowed)
    assert followed.additional == {
        "review_id": str(review.pk),
        "from_la_id": world.north.pk,
        "to_la_id": world.south.pk,
    }


def test_an_accept_leaves_a_review_still_naming_a_child_of_the_old_la(world, child, stella):
    review, _twin = _too_close(world, child)
    _accepted(world, child, stella)

    review.refresh_from_db()
    assert review.local_authority_id == world.north.pk
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewFollowed).exists()
    assert "reviews_followed" not in AuditEvent.objects.get(tag=AuditTag.TransferAccepted).additional


def test_the_sweep_moves_an_ordinary_review_whose_candidate_another_la_holds(world, child, stella, capsys):
    review = _possible_match(world, child)
    _moved_to(child, world.south)
    assert "LS1 4AB" not in _page(world.lena, review)  # North's team is shown no candidate

    call_command("holds_sweep")

    assert capsys.readouterr().out.strip() == "held 0, followed 1, left 0, busy 0"
    review.refresh_from_db()
    assert (review.local_authority_id, review.shielded_hold) == (world.south.pk, False)
    assert "LS1 4AB" in _page(stella, review)
    (followed,) = AuditEvent.objects.filter(tag=AuditTag.ReviewFollowed)
    assert followed.additional == {
        "review_id": str(review.pk),
        "from_la_id": world.north.pk,
        "to_la_id": world.south.pk,
    }


def test_the_sweep_holds_a_review_it_moves_to_the_la_where_its_candidate_is_shielded(world, child, stella):
    review = _possible_match(world, child)
    Child.objects.filter(pk=child.pk).update(local_authority=world.south, shielded=True)

    outcome = holds_sweep()

    assert outcome.followed == [str(review.pk)] and outcome.held == [str(review.pk)]
    review.refresh_from_db()
    assert (review.local_authority_id, review.shielded_hold) == (world.south.pk, True)


def test_the_sweep_leaves_an_ordinary_review_still_naming_a_child_of_its_la(world, child):
    review, _twin = _too_close(world, child)
    _moved_to(child, world.south)

    assert holds_sweep().followed == []
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk


def test_an_ordinary_review_whose_candidates_two_other_las_hold_is_left_for_a_person(world, child, capsys):
    review, twin = _too_close(world, child)
    _moved_to(child, world.south)
    _moved_to(twin, east_la(world))

    with pytest.raises(CommandError, match="1 review"):
        call_command("holds_sweep")

    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk
    out, err = capsys.readouterr()
    assert out.strip() == "held 0, followed 0, left 1, busy 0"
    assert err.strip().startswith(f"review {review.pk}: no team can place or link it as it stands")
    assert "Thornton" not in out + err and "Amelia" not in out + err


def test_new_child_is_refused_in_words_when_the_only_candidate_is_another_las_now(world, child):
    review = _possible_match(world, child)
    _moved_to(child, world.south)  # the sweep has not run yet
    before = Child.objects.count()

    response = _new_child(world.lena, review)

    assert response.status_code == 400
    page = response.content.decode()
    assert HELD_ELSEWHERE in page and "Choose not a match" in page
    assert Child.objects.count() == before  # no second record of South's child
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN and review.copy_shredded_at is None
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewDecided).exists()


def test_the_page_of_a_review_whose_candidate_another_la_holds_says_so_and_offers_no_new_child(world, child):
    review = _possible_match(world, child)
    _moved_to(child, world.south)

    page = signed_in(world.lena).get(reverse("linkage:review", args=[review.pk])).content.decode()

    assert "is now a record of another local authority" in page
    assert "Overnight this review moves to that local authority" in page
    assert 'value="new_child"' not in page
    assert 'value="not_a_match"' in page


def test_new_child_is_refused_when_one_of_two_candidates_is_another_las_now(world, child):
    review, twin = _too_close(world, child)
    _moved_to(child, world.south)
    before = Child.objects.count()

    response = _new_child(world.lena, review)

    assert response.status_code == 400 and HELD_ELSEWHERE in response.content.decode()
    assert Child.objects.count() == before
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN
    # The candidate still North's can be linked, or the row set aside: only "new child" is refused.
    signed_in(world.lena).post(
        reverse("linkage:review", args=[review.pk]), {"decision": "link", "child": str(twin.pk)}
    )
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.LINKED


def test_new_child_with_every_candidate_still_the_las_own_is_made_as_before(world, child):
    review = _possible_match(world, child)
    before = Child.objects.count()

    response = _new_child(world.lena, review)

    assert response.status_code == 302
    assert Child.objects.count() == before + 1
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.NEW_CHILD


def test_new_child_is_made_by_the_team_the_review_followed_to(world, child, stella):
    """South's team, shown the candidate, judges the row to be someone else: the row's record is made in
    the LA it was sent for (as a hold decided by another LA's team is)."""
    review = _possible_match(world, child)
    _accepted(world, child, stella)
    before = Child.objects.count()

    assert _new_child(stella, review).status_code == 302

    assert Child.objects.count() == before + 1
    made = ClericalReview.objects.get(pk=review.pk).decided_child
    assert made is not None and made.local_authority_id == world.north.pk


def test_a_review_opened_with_its_only_candidate_in_another_la_goes_to_that_las_team(world, stella):
    """Candidates are looked for nationally: a row matching only a child of an LA its source does not
    supply opens a review for the row's LA, whose team is shown no candidate. The sweep treats it as one
    whose candidate moved: South's team, who can see the child, judges it (a link records the identity
    and writes nothing, the source not supplying South: the page says so)."""
    make_child(world, la=world.south)
    health_rows_ingest(
        world,
        [
            feed_row(
                given_names="Amelia",
                family_name="Thornton",
                date_of_birth="2015-03-04",
                postcode="LS1 4AB",
                address_line="12 Quarry Lane",
            )
        ],
    )
    review = ClericalReview.objects.get()
    assert (review.reason, review.local_authority_id) == (ReviewReason.OTHER_LA, world.north.pk)
    assert 'name="child"' not in _page(world.lena, review)  # North's team is shown no candidate to link

    assert holds_sweep().followed == [str(review.pk)]

    review.refresh_from_db()
    assert review.local_authority_id == world.south.pk
    page = _page(stella, review)
    assert 'name="child"' in page and "not entitled to supply records for your local authority" in page
