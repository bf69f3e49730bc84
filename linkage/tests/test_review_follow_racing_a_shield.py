"""A transfer's accept moving a review while another of its candidates is shielded leaves it held (PostgreSQL).

The accept moves an ordinary review to the LA now holding every child it names (`linkage.holding
.reviews_follow`). It read those children without a lock: a shield of one already in the new LA committing
between that read and the accept's commit looked for reviews of that LA naming the child, found none (the
move was not committed), and the accept then moved the review there unheld, into the data manager's queue
with a shielded candidate, until the nightly sweep. The accept now reads them under a share lock: a shield
that committed first is seen (the review is held as it moves), one arriving after waits and holds it.
"""

import threading
import time
from typing import Any

from django.db import transaction

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.moves import transfer_accept, transfer_request
from lifecycle.shielding import shield_set
from linkage import holding
from linkage.holds_sweep import holds_sweep
from linkage.models import ClericalReview
from linkage.tests.test_ordinary_review_follows_its_candidates import (
    _moved_to,
    _too_close,
    _twin_south_child_on_its_way,
)
from rowlocks.held import Strength, row_held
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_user

pytestmark = postgresql_race()

PAUSE = 1.5


def test_a_candidate_shielded_as_the_accept_moves_its_review_leaves_the_review_held(
    world, child, monkeypatch
):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    sam = make_user("sunita", world.south, Role.LA_TEAM)  # not the accepter: no wait on her account's lock
    review, twin, transfer = _twin_south_child_on_its_way(world, child)
    read = threading.Event()
    real = holding.other_las_holding

    def paused(*args: Any, **kwargs: Any) -> Any:
        read.set()  # the accept has read the review's children
        time.sleep(PAUSE)
        return real(*args, **kwargs)

    monkeypatch.setattr(holding, "other_las_holding", paused)

    def work(index: int) -> Any:
        if index == 0:
            return transfer_accept(transfer=transfer, by=stella)
        assert read.wait(timeout=10)
        return shield_set(child=Child.objects.get(pk=twin.pk), by=sam, shielded=True, reason="Risk of harm")

    assert run_together(2, work) == [True, True]
    stored = ClericalReview.objects.get(pk=review.pk)
    assert stored.local_authority_id == world.south.pk
    assert stored.shielded_hold  # never in the data manager's queue with a shielded child


def test_a_candidate_someone_holds_as_the_accept_runs_is_not_waited_for_and_the_review_follows_once_free(
    world, child
):
    """A child row another writer holds is not waited for (two accepts of two such children would each
    wait for the other): the accept commits, and the review moves once the row is free (after the commit,
    or by the daily sweep if it is held even then), once."""
    stella = make_user("stella", world.south, Role.LA_TEAM)
    review, twin = _too_close(world, child)
    _moved_to(twin, world.south)
    transfer = transfer_request(
        child=Child.objects.get(pk=child.pk), to_la=world.south, by=world.lena, reason="Moved to Southborough"
    )
    held = threading.Event()

    def work(index: int) -> Any:
        if index == 0:
            with transaction.atomic():
                assert row_held(Child, twin.pk, strength=Strength.SHARE)
                held.set()
                time.sleep(PAUSE)  # the accept finds the twin's row held, commits, then waits for it
            return "released"
        assert held.wait(timeout=10)
        return transfer_accept(transfer=transfer, by=stella)

    assert run_together(2, work) == ["released", True]
    holds_sweep()  # what the step after the commit found still held
    stored = ClericalReview.objects.get(pk=review.pk)
    assert stored.local_authority_id == world.south.pk and not stored.shielded_hold
    followed = AuditEvent.objects.filter(tag=AuditTag.ReviewFollowed, additional__review_id=str(review.pk))
    assert followed.count() == 1
