"""The daily holds sweep puts right what the after-commit steps of `linkage.holding` did not do.

A shield or a transfer accept leaves the reviews a decision held at that moment to a step run once it
commits; a process dying between the commit and that step (or the step failing) left a review naming a
shielded child in the data manager's queue, or a hold with an LA that no longer holds its child, for
good. Holds stranded by transfers accepted before holds followed their child (session 26) were the same.
Each state below is what such a lost step leaves (the row as committed, the step never run).
"""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.holds_sweep import holds_sweep
from linkage.models import CarriedIdentity, ClericalReview, ReviewStatus
from linkage.tests.test_review_pages import _possible_match, _shielded_hold
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in
from tests.other_la import east_la
from tests.personas import make_child, make_user

POSSIBLE_MATCH = feed_row(
    given_names="Amelia",
    family_name="Thornton",
    date_of_birth="2015-03-14",
    postcode="LS9 9ZZ",
    nhs_number=None,
)
SHIELDED_LOOKALIKE = feed_row(
    given_names="Jasmine", family_name="Okafor", date_of_birth="2015-03-04", nhs_number=None
)


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


def _queue(user) -> str:
    return signed_in(user).get(reverse("linkage:reviews")).content.decode()


def _moved_to(child: Child, la) -> None:
    """The child's record as a transfer accept whose after-commit step was lost leaves it."""
    Child.objects.filter(pk=child.pk).update(local_authority=la)


def test_a_review_left_unheld_by_a_shield_whose_step_was_lost_is_held_for_the_la_team(world, child):
    review = _possible_match(world, child)
    Child.objects.filter(pk=child.pk).update(shielded=True)  # shielded; the hold's step never ran
    assert str(review.pk) in _queue(world.dara)  # the data manager is still offered a shielded child

    outcome = holds_sweep()

    assert outcome.held == [str(review.pk)] and outcome.followed == []
    review.refresh_from_db()
    assert review.shielded_hold and review.status == ReviewStatus.OPEN
    assert str(review.pk) not in _queue(world.dara)
    assert signed_in(world.dara).get(reverse("linkage:review", args=[review.pk])).status_code == 403
    assert str(review.pk) in _queue(world.lena)
    (held,) = AuditEvent.objects.filter(tag=AuditTag.ReviewHeld)
    assert held.additional == {"review_id": str(review.pk)}


def test_a_hold_stranded_with_the_old_la_follows_its_child_to_the_la_that_holds_it(
    world, shielded_child, stella
):
    review = _shielded_hold(world, shielded_child)
    _moved_to(shielded_child, world.south)
    assert str(review.pk) not in _queue(stella)  # the only team that may decide never sees it

    outcome = holds_sweep()

    assert outcome.followed == [str(review.pk)] and outcome.held == []
    review.refresh_from_db()
    assert (review.local_authority_id, review.shielded_hold) == (world.south.pk, True)
    assert str(review.pk) in _queue(stella) and str(review.pk) not in _queue(world.lena)
    page = signed_in(stella).get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert "Okafor" in page and 'name="child"' in page  # the candidate shown: the team can decide
    (followed,) = AuditEvent.objects.filter(tag=AuditTag.ReviewFollowed)
    assert followed.additional == {
        "review_id": str(review.pk),
        "from_la_id": world.north.pk,
        "to_la_id": world.south.pk,
    }


def test_a_hold_naming_a_record_merged_into_one_of_another_la_follows_the_record_that_carries_it(
    world, shielded_child
):
    review = _shielded_hold(world, shielded_child)
    survivor = make_child(world, given_names="Jasmine", family_name="Okafor", la=world.south, shielded=True)
    CarriedIdentity.objects.create(carrier_id=survivor.pk, identity_id=shielded_child.pk)
    Child.objects.filter(pk=shielded_child.pk).delete()  # merged away into South's record

    assert holds_sweep().followed == [str(review.pk)]
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.south.pk


def test_a_hold_still_naming_a_child_of_its_la_stays_with_its_team(world, shielded_child):
    make_child(world, given_names="Jasmine", family_name="Okafor", postcode="LS6 2QT", shielded=True)
    review = _shielded_hold(world, shielded_child)
    _moved_to(shielded_child, world.south)

    assert holds_sweep().followed == []
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk


def test_a_hold_whose_children_two_other_las_hold_is_left_and_the_command_fails_naming_it_only(
    world, shielded_child, capsys
):
    other = make_child(world, given_names="Jasmine", family_name="Okafor", postcode="LS6 2QT", shielded=True)
    review = _shielded_hold(world, shielded_child)
    _moved_to(shielded_child, world.south)
    _moved_to(other, east_la(world))

    with pytest.raises(CommandError, match="1 review"):
        call_command("holds_sweep")

    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk
    out, err = capsys.readouterr()
    assert out.strip() == "held 0, followed 0, left 1, busy 0"
    assert err.strip().startswith(f"review {review.pk}: no team can place or link it as it stands")
    assert "Okafor" not in out + err and "Jasmine" not in out + err


def test_a_second_sweep_changes_nothing_and_reviews_already_right_are_untouched(
    world, child, shielded_child, capsys
):
    health_rows_ingest(world, [POSSIBLE_MATCH, SHIELDED_LOOKALIKE])  # one of each, as the helpers make
    ordinary = ClericalReview.objects.get(shielded_hold=False)
    hold = ClericalReview.objects.get(shielded_hold=True)
    call_command("holds_sweep")
    assert capsys.readouterr().out.strip() == "held 0, followed 0, left 0, busy 0"
    for review in (ordinary, hold):
        stored = ClericalReview.objects.get(pk=review.pk)
        assert (stored.local_authority_id, stored.shielded_hold) == (world.north.pk, review.shielded_hold)
    assert not AuditEvent.objects.filter(tag__in=[AuditTag.ReviewFollowed]).exists()


def test_a_decided_review_is_not_held_however_its_child_changed(world, child):
    review = _possible_match(world, child)
    ClericalReview.objects.filter(pk=review.pk).update(status=ReviewStatus.WITHDRAWN)
    Child.objects.filter(pk=child.pk).update(shielded=True)
    assert holds_sweep().held == []
    assert not ClericalReview.objects.get(pk=review.pk).shielded_hold


class TestNeverWaits:
    """A purge or merge takes a child's row before the reviews naming it, a decision the other way round:
    the sweep waits for neither, so it can close no circle with either. What it skips it does next time."""

    pytestmark = postgresql_race()

    @staticmethod
    def _swept_while_held(model, pk):
        """`holds_sweep()` run while another session holds `model`'s row `pk` FOR UPDATE (released once
        the sweep returns: a sweep that waited for it would wait out the holder's 30 s and fail)."""
        holding, swept = threading.Event(), threading.Event()

        def work(index: int):
            if index == 0:
                with transaction.atomic():
                    list(model.objects.select_for_update().filter(pk=pk))
                    holding.set()
                    assert swept.wait(timeout=30)
                return "released"
            assert holding.wait(timeout=30)
            try:
                return holds_sweep()
            finally:
                swept.set()

        released, outcome = run_together(2, work)
        assert released == "released"
        return outcome

    def test_a_review_whose_childs_row_is_held_is_skipped_then_put_right_next_time(
        self, world, shielded_child
    ):
        review = _shielded_hold(world, shielded_child)
        _moved_to(shielded_child, world.south)
        outcome = self._swept_while_held(Child, shielded_child.pk)
        assert (outcome.busy, outcome.followed) == ([str(review.pk)], [])
        assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk
        assert holds_sweep().followed == [str(review.pk)]

    def test_a_review_a_decision_holds_is_skipped(self, world, shielded_child):
        review = _shielded_hold(world, shielded_child)
        _moved_to(shielded_child, world.south)
        outcome = self._swept_while_held(ClericalReview, review.pk)
        assert outcome.busy == [str(review.pk)]
        assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk
