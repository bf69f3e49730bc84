"""A shield applied while a data manager decides a review naming the child (PostgreSQL: two real writers).

`linkage.holding` runs in the shield's transaction, which already holds the child's row. A decision holds
its review's row and then takes its candidates' key locks and, to link, the child's row. Waiting for the
review's row from the shield (every open review of the LA, locked before any was read) closed the circle:
PostgreSQL broke it by failing one of the two, the shield included, so the child stayed unshielded.
"""

import threading
import time
from typing import Any

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds import review as review_module
from feeds.review import ReviewDecision, review_decide
from lifecycle.shielding import shield_set
from linkage.merging import child_merge
from linkage.models import ClericalReview, ReviewStatus
from linkage.tests.test_review_pages import _possible_match
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child

pytestmark = postgresql_race()

PAUSE = 1.5


def _decision_holding_its_review(monkeypatch) -> threading.Event:
    """The decision pauses once it holds its review's row (before the candidates' key locks)."""
    holding = threading.Event()
    real = review_module.children_keys_lock

    def paused(*args: Any, **kwargs: Any) -> None:
        holding.set()
        time.sleep(PAUSE)  # the shield arrives while the decision holds the review
        real(*args, **kwargs)

    monkeypatch.setattr(review_module, "children_keys_lock", paused)
    return holding


def test_a_shield_applied_while_a_review_naming_the_child_is_linked_neither_fails(world, child, monkeypatch):
    review = _possible_match(world, child)
    holding = _decision_holding_its_review(monkeypatch)

    def work(index: int) -> str:
        if index == 0:
            review_decide(review=review, decision=ReviewDecision.LINK, by=world.dara, child_id=child.pk)
            return "decided"
        assert holding.wait(timeout=10)
        shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
        return "shielded"

    assert run_together(2, work) == ["decided", "shielded"]
    assert Child.objects.get(pk=child.pk).shielded
    assert AuditEvent.objects.filter(tag=AuditTag.ShieldApplied, child_id=child.pk).exists()
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.LINKED


def test_a_merge_carrying_a_shield_while_a_review_naming_the_survivor_is_decided_neither_fails(
    world, child, monkeypatch
):
    review = _possible_match(world, child)
    duplicate = make_child(
        world, given_names="Amelia", family_name="Thornton", postcode="LS6 1AA", shielded=True
    )
    holding = _decision_holding_its_review(monkeypatch)

    def work(index: int) -> str:
        if index == 0:
            review_decide(review=review, decision=ReviewDecision.NOT_A_MATCH, by=world.dara)
            return "decided"
        assert holding.wait(timeout=10)
        child_merge(survivor=Child.objects.get(pk=child.pk), duplicate=duplicate, by=world.lena)
        return "merged"

    assert run_together(2, work) == ["decided", "merged"]
    assert Child.objects.get(pk=child.pk).shielded
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.NOT_A_MATCH


def test_a_review_a_failed_decision_held_as_the_child_was_shielded_is_held_after_the_shield(
    world, child, monkeypatch
):
    review = _possible_match(world, child)
    stranger = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    holding = _decision_holding_its_review(monkeypatch)

    def work(index: int) -> str:
        if index == 0:
            try:  # not one of the review's candidates: refused after the review was locked, nothing kept
                review_decide(
                    review=review, decision=ReviewDecision.LINK, by=world.dara, child_id=stranger.pk
                )
            except ValueError:
                return "refused"
            return "decided"
        assert holding.wait(timeout=10)
        shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
        return "shielded"

    assert run_together(2, work) == ["refused", "shielded"]
    stored = ClericalReview.objects.get(pk=review.pk)
    assert stored.status == ReviewStatus.OPEN and stored.shielded_hold  # in the LA team's queue only
    assert AuditEvent.objects.filter(tag=AuditTag.ReviewHeld, additional__review_id=str(review.pk)).exists()
