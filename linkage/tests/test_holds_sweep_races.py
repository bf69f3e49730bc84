"""The holds sweep racing the writers it must never close a circle with, on real PostgreSQL sessions:
whatever order the two take their locks in, neither fails, and what the sweep skipped it does next run."""

from children.models import Child, RecordStatus
from lifecycle.shielding import shield_set
from linkage.holds_sweep import holds_sweep
from linkage.merging import child_merge
from linkage.models import ClericalReview, ReviewStatus
from linkage.tests.test_holds_sweep import _moved_to, stella  # noqa: F401  (the South team fixture)
from linkage.tests.test_review_pages import _possible_match, _shielded_hold
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child

pytestmark = postgresql_race()


def test_a_sweep_and_a_merge_of_the_held_child_at_once_both_finish_and_the_hold_ends_with_its_child(
    world,
    shielded_child,
    stella,  # noqa: F811
):
    review = _shielded_hold(world, shielded_child)
    _moved_to(shielded_child, world.south)  # a transfer accept whose step was lost
    survivor = make_child(world, given_names="Jasmine", family_name="Okafor", la=world.south, shielded=True)

    def work(index: int):
        if index == 0:
            return holds_sweep()
        return child_merge(survivor=survivor, duplicate=Child.objects.get(pk=shielded_child.pk), by=stella)

    outcome, merge = run_together(2, work)
    assert merge is not None and outcome.left == []
    assert not Child.objects.filter(pk=shielded_child.pk, status=RecordStatus.ACTIVE).exists()
    holds_sweep()  # what the first run skipped as busy
    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.status, stored.local_authority_id) == (ReviewStatus.OPEN, world.south.pk)


def test_a_sweep_and_a_shield_of_the_named_child_at_once_both_finish_and_the_review_is_held(world, child):
    review = _possible_match(world, child)

    def work(index: int):
        if index == 0:
            return holds_sweep()
        return shield_set(
            child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Synthetic"
        )

    run_together(2, work)
    holds_sweep()
    assert ClericalReview.objects.get(pk=review.pk).shielded_hold
