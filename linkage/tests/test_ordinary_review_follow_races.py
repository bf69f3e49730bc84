"""A transfer accept racing a "new child" decision on an ordinary review naming the child (PostgreSQL).

The accept moves the old LA's ordinary reviews whose children the new LA now all holds, skipping one a
decision holds (waiting for it would close a circle: the decision takes the child's key locks next, which
the accept holds), and moves that one once it has committed, if the decision left it open. The decision
judges "new child" again under the candidates' key locks: the candidate is another LA's now, so it is refused
and the review stays open for the after-commit step to move.
"""

import threading
import time
from typing import Any

import pytest

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds.review import HELD_ELSEWHERE_WORDS, NewChildRefused, ReviewDecision, review_decide
from lifecycle.moves import transfer_accept, transfer_request
from linkage import views as review_views
from linkage.models import ClericalReview, ReviewStatus
from linkage.tests.test_review_pages import _possible_match
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_user

pytestmark = postgresql_race()

PAUSE = 1.5


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


def _decision_holding_its_review(monkeypatch) -> threading.Event:
    """The page's recheck pauses once the decision holds its review's row (its first step there)."""
    holding = threading.Event()
    real = review_views.actor_able_locked

    def paused(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        holding.set()
        time.sleep(PAUSE)  # the accept commits while the decision holds the review
        return result

    monkeypatch.setattr(review_views, "actor_able_locked", paused)
    return holding


def test_new_child_decided_as_the_candidate_is_transferred_is_refused_and_the_review_follows(
    world, child, stella, monkeypatch
):
    review = _possible_match(world, child)
    transfer = transfer_request(
        child=Child.objects.get(pk=child.pk), to_la=world.south, by=world.lena, reason="Moved to Southborough"
    )
    before = Child.objects.count()
    holding = _decision_holding_its_review(monkeypatch)

    def work(index: int) -> Any:
        if index == 0:
            try:
                review_decide(
                    review=review,
                    decision=ReviewDecision.NEW_CHILD,
                    by=world.lena,
                    recheck=review_views._decision_recheck(world.lena, ReviewDecision.NEW_CHILD),
                )
            except NewChildRefused as refused:
                return str(refused)
            return "decided"
        assert holding.wait(timeout=10)
        return transfer_accept(transfer=transfer, by=stella)

    assert run_together(2, work) == [HELD_ELSEWHERE_WORDS, True]
    assert Child.objects.count() == before  # no second record of the child South now holds
    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.status, stored.local_authority_id) == (ReviewStatus.OPEN, world.south.pk)
    # Moved by the after-commit step, not the accept itself (the decision held the review then).
    assert "reviews_followed" not in AuditEvent.objects.get(tag=AuditTag.TransferAccepted).additional
    (followed,) = AuditEvent.objects.filter(tag=AuditTag.ReviewFollowed)
    assert followed.additional == {
        "review_id": str(review.pk),
        "from_la_id": world.north.pk,
        "to_la_id": world.south.pk,
    }


def test_a_review_decided_while_the_accept_ran_is_left_decided(world, child, stella, monkeypatch):
    """The decision ("not a match") closes the review the accept skipped: the after-commit step, waiting
    for it, finds it no longer open and moves nothing."""
    review = _possible_match(world, child)
    transfer = transfer_request(
        child=Child.objects.get(pk=child.pk), to_la=world.south, by=world.lena, reason="Moved to Southborough"
    )
    holding = _decision_holding_its_review(monkeypatch)

    def work(index: int) -> Any:
        if index == 0:
            review_decide(
                review=review,
                decision=ReviewDecision.NOT_A_MATCH,
                by=world.lena,
                recheck=review_views._decision_recheck(world.lena, ReviewDecision.NOT_A_MATCH),
            )
            return "decided"
        assert holding.wait(timeout=10)
        return transfer_accept(transfer=transfer, by=stella)

    assert run_together(2, work) == ["decided", True]
    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.status, stored.local_authority_id) == (ReviewStatus.NOT_A_MATCH, world.north.pk)
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewFollowed).exists()
