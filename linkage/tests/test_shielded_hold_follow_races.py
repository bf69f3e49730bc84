"""A transfer accept racing a feed row about the shielded child, or a decision on its hold (PostgreSQL).

A row that read the child's LA before the accept committed opened its hold for the old LA after the
accept had moved the holds it could see: stranded, as before. The accept now takes the child's key locks
first (as a shield does): the row decides wholly before it (its hold is moved) or after it (it reads the
new LA). A hold a decision has locked is skipped by the accept and moved once the accept has committed,
if the decision left it open.
"""

import threading
from typing import Any

import pytest

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds import ingest as ingest_module
from feeds.review import review_decide
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from lifecycle import moves
from lifecycle.moves import transfer_accept, transfer_request
from linkage import holding
from linkage.models import ClericalReview, ReviewStatus
from linkage.selectors import review_candidate_ids
from linkage.tests.test_review_pages import _shielded_hold
from linkage.tests.test_shield_races_a_feed_row import _paused_after
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_user

pytestmark = postgresql_race()

PAUSE = 3.0
JASMINE = {
    "given_names": "Jasmine",
    "family_name": "Okafor",
    "date_of_birth": "2015-03-04",
    "nhs_number": None,
}


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


def _transfer(world, child):
    return transfer_request(
        child=Child.objects.get(pk=child.pk), to_la=world.south, by=world.lena, reason="Moved to Southborough"
    )


def _holds_naming(child: Child) -> list[ClericalReview]:
    return [
        r
        for r in ClericalReview.objects.filter(shielded_hold=True)
        if str(child.pk) in review_candidate_ids(r)
    ]


def test_a_row_that_read_the_child_before_the_accept_has_its_hold_moved(
    world, shielded_child, stella, monkeypatch
):
    transfer = _transfer(world, shielded_child)
    source = health_source(world)
    accepted = threading.Event()
    decided = _paused_after(monkeypatch, ingest_module, "link_decide", accepted)

    def work(index: int) -> Any:
        if index == 0:
            return feed_rows_ingest(source, [feed_row(**JASMINE)], "b1").status
        assert decided.wait(timeout=30)  # the row has read the child as the old LA's
        try:
            return transfer_accept(transfer=transfer, by=stella)
        finally:
            accepted.set()

    assert run_together(2, work) == ["completed", True]
    (hold,) = _holds_naming(shielded_child)
    assert hold.local_authority_id == world.south.pk


def test_a_row_arriving_while_the_accept_is_uncommitted_is_held_for_the_new_la(
    world, shielded_child, stella, monkeypatch
):
    transfer = _transfer(world, shielded_child)
    source = health_source(world)
    fed = threading.Event()
    moved = _paused_after(monkeypatch, moves, "_followed", fed)

    def work(index: int) -> Any:
        if index == 0:
            return transfer_accept(transfer=transfer, by=stella)
        assert moved.wait(timeout=30)  # the record moved, its holds moved, not yet committed
        try:
            return feed_rows_ingest(source, [feed_row(**JASMINE)], "b1").status
        finally:
            fed.set()

    assert run_together(2, work) == [True, "completed"]
    (hold,) = _holds_naming(shielded_child)
    assert hold.local_authority_id == world.south.pk


def test_a_hold_a_decision_had_locked_is_moved_once_the_decision_leaves_it_open(
    world, shielded_child, stella, monkeypatch
):
    """The old team links the row to the child as the accept commits: the link finds the child no longer
    its record and changes nothing; the hold it had locked then follows the child."""
    review = _shielded_hold(world, shielded_child)
    transfer = _transfer(world, shielded_child)
    locked, committed = threading.Event(), threading.Event()
    after = holding._holds_follow_after

    def following(*args: Any) -> None:
        committed.set()  # the accept has committed; this now waits for the decision's lock
        after(*args)

    monkeypatch.setattr(holding, "_holds_follow_after", following)

    def recheck(_: ClericalReview) -> None:
        locked.set()
        committed.wait(timeout=PAUSE)  # without the follow-up, the decision goes on alone after PAUSE

    def work(index: int) -> Any:
        if index == 0:
            try:
                review_decide(
                    review=review, decision="link", by=world.lena, child_id=shielded_child.pk, recheck=recheck
                )
            except ValueError as refused:
                return str(refused)
            return "linked"
        assert locked.wait(timeout=30)
        return transfer_accept(transfer=transfer, by=stella)

    refused, accepted = run_together(2, work)
    assert accepted is True and "no longer an active record" in refused
    review.refresh_from_db()
    assert (review.status, review.local_authority_id) == (ReviewStatus.OPEN, world.south.pk)
    (followed,) = AuditEvent.objects.filter(
        tag=AuditTag.ReviewFollowed
    )  # moved after the commit: audited too
    assert followed.additional["review_id"] == str(review.pk)
