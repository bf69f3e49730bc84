"""A review an accept could not move while a shield of its other child held that child's row is held once
the shield commits (PostgreSQL).

A transfer's accept moves an ordinary review to the LA now holding every child it names, never waiting for
a child's row (`linkage.holding.review_follow_candidates`: `ChildrenBusy`, tried again once the accept has
committed). When that row is held by a shield of the review's other child, already a record of the new LA,
the accept and its after-commit step both find it busy. The shield looked for reviews of its own LA only,
found none (the review was still the old LA's), and the review stayed unheld in the old LA's queue, the
incoming row about a now shielded child in front of that LA's data manager, until the nightly sweep. Once a
shield commits it now also looks up, by the child's subject tokens, the open reviews of other LAs naming
the child, and puts each where the accept would have (held there, as the child is shielded).
"""

import threading
import time
from typing import Any

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.moves import transfer_accept
from lifecycle.shielding import shield_set
from linkage import holding
from linkage.models import ClericalReview
from linkage.tests.test_ordinary_review_follows_its_candidates import _twin_south_child_on_its_way
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_user

pytestmark = postgresql_race()

PAUSE = 2.0


def test_a_review_the_accept_skipped_for_a_shield_of_its_other_child_is_held_in_the_new_la_once_the_shield_commits(
    world, child, monkeypatch
):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    sunita = make_user("sunita", world.south, Role.LA_TEAM)
    review, twin, transfer = _twin_south_child_on_its_way(world, child)
    shielding = threading.Event()
    real = holding._open

    def paused() -> Any:
        shielding.set()  # the shield holds the twin's row and looks for South's reviews naming her
        time.sleep(PAUSE)  # the accept runs, and its after-commit step, while the row is held
        return real()

    monkeypatch.setattr(holding, "_open", paused)

    def work(index: int) -> Any:
        if index == 0:
            return shield_set(
                child=Child.objects.get(pk=twin.pk), by=sunita, shielded=True, reason="Risk of harm"
            )
        assert shielding.wait(timeout=10)
        monkeypatch.setattr(holding, "_open", real)  # only the shield's first look pauses
        return transfer_accept(transfer=transfer, by=stella)

    assert run_together(2, work) == [True, True]
    stored = ClericalReview.objects.get(pk=review.pk)
    assert stored.local_authority_id == world.south.pk  # with the team holding both children
    assert stored.shielded_hold  # never in a data manager's queue with a shielded child
    assert (
        AuditEvent.objects.filter(tag=AuditTag.ReviewHeld, additional__review_id=str(review.pk)).count() == 1
    )
    followed = AuditEvent.objects.filter(tag=AuditTag.ReviewFollowed, additional__review_id=str(review.pk))
    assert followed.count() == 1
