"""A data manager's link decided as the LA team shields the candidate never writes into the shielded child
(PostgreSQL, two real sessions).

Session 22 made the decision judge the review as locked (`recheck`), so a review the shield had already
held is refused. But the shield holds only reviews nobody is deciding (`linkage.holding` skips a locked
one and holds it after its own commit), and the recheck looked at the review alone: a shield committing
after the decision locked its review and before it locked the candidate's row still let the data manager's
link write the feed's row into the shielded child, whose every decision is the LA team's alone (the 2009
failure's boundary: a feed writing into a shielded child with nobody from its team deciding). The page's
recheck now takes the candidates' key locks (the shield's first lock) and asks the policy about each
candidate as it is then: a shield that committed first refuses the decision; one that comes later waits
for it.
"""

import threading
import time
from typing import Any

import linkage.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds import review as review_module
from lifecycle.shielding import shield_set
from linkage.models import ClericalReview, ReviewStatus
from linkage.tests.test_review_pages import _possible_match
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in

pytestmark = postgresql_race()

PAUSE = 1.5


def _link_page(world, child) -> Any:
    client = signed_in(world.dara)  # the data manager
    review = _possible_match(world, child)
    url = f"/reviews/{review.pk}/"
    assert "Amelia" in client.get(url).content.decode()
    return client, url, review


def _shield(world, child) -> str:
    shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
    return "shielded"


def test_a_shield_committed_as_the_decision_locks_its_review_refuses_the_data_managers_link(
    world, child, monkeypatch
):
    client, url, review = _link_page(world, child)
    locked, shielded = threading.Event(), threading.Event()
    real = linkage.views.review_decide

    def decide_after_the_shield(**kwargs: Any) -> Any:
        """The decision holds its review (unheld, as the page checked it) when the shield commits."""
        recheck = kwargs["recheck"]

        def shield_first(stored: ClericalReview) -> None:
            locked.set()
            shielded.wait(timeout=10)
            recheck(stored)

        return real(**{**kwargs, "recheck": shield_first})

    monkeypatch.setattr(linkage.views, "review_decide", decide_after_the_shield)

    def work(index: int) -> Any:
        if index == 0:
            return client.post(url, {"decision": "link", "child": str(child.pk)})
        assert locked.wait(timeout=10)
        try:
            return _shield(world, child)
        finally:
            shielded.set()

    response, outcome = run_together(2, work)

    assert outcome == "shielded" and Child.objects.get(pk=child.pk).shielded
    assert response.status_code == 403
    stored = ClericalReview.objects.get(pk=review.pk)
    assert stored.status == ReviewStatus.OPEN and stored.shielded_hold  # the LA team's to decide
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewDecided).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildUpdated, child_id=child.pk).exists()
    assert AuditEvent.objects.filter(
        tag=AuditTag.AccessDenied, actor=world.dara, additional__reason="review_shielded"
    ).exists()


def test_a_shield_arriving_after_the_decisions_check_waits_for_the_link(world, child, monkeypatch):
    client, url, review = _link_page(world, child)
    checked = threading.Event()
    real = review_module.children_keys_lock

    def paused(*args: Any, **kwargs: Any) -> None:
        checked.set()
        time.sleep(PAUSE)  # the shield arrives now, after the page's recheck
        real(*args, **kwargs)

    monkeypatch.setattr(review_module, "children_keys_lock", paused)

    def work(index: int) -> Any:
        if index == 0:
            return client.post(url, {"decision": "link", "child": str(child.pk)})
        assert checked.wait(timeout=10)
        return _shield(world, child)

    response, outcome = run_together(2, work)

    assert outcome == "shielded" and response.status_code == 302
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.LINKED
    decided = AuditEvent.objects.get(tag=AuditTag.ReviewDecided)
    shield = AuditEvent.objects.get(tag=AuditTag.ShieldApplied, child_id=child.pk)
    assert decided.pk < shield.pk, "the link was written into the child after it was shielded"
