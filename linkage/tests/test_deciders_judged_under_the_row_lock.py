"""A linkage decision is judged on the decider as locked in its own transaction, not as the request read them.

A merge, an unmerge and a clerical review's decision (link, new child, not a match) trusted the policy's
check at the start of the request: an LA team member or data manager suspended (on a misuse alert, say)
or closed a moment after their request passed it still merged two children's records, or linked a feed's
row into a child, and the log credited a suspended account with it. The merge and unmerge now lock and
re-read the acting account first, and the review pages' re-check (`linkage.views._decision_recheck`,
called by `feeds.review.review_decide` under the review's lock) does too: `ActorCannotAct`, and nothing
written.

Here the service is called with the request's copy of the account (read active) after the account was
suspended or closed; the pages racing a suspension on PostgreSQL are in
`test_a_decider_suspended_on_the_way_changes_nothing.py`.
"""

from typing import Any

import pytest

from accounts.models import Role, User
from accounts.services import ActorCannotAct, account_close, account_suspend
from audit.models import AuditEvent
from children.models import Child
from children.selectors import child_details
from feeds.review import ReviewDecision, review_decide
from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.merging import child_merge, child_unmerge
from linkage.models import ChildMerge, ClericalReview, ReviewStatus
from linkage.views import _decision_recheck
from tests.personas import make_child, make_user

REASON = "Synthetic reason"


def _ended(user: User, how: str, world: Any) -> User:
    """The request's copy of `user`, read active; then a system administrator ends the account."""
    as_read = User.objects.get(pk=user.pk)
    admin = make_user("ada", world.nadia.organisation, Role.SYSTEM_ADMIN)
    if how == "closed":
        assert account_close(user=User.objects.get(pk=user.pk), by=admin)
    else:
        assert account_suspend(user=User.objects.get(pk=user.pk), by=admin, reason=REASON)
    return as_read


def _possible_match(world: Any) -> ClericalReview:
    """Amelia Thornton with a date one digit out and a new postcode: between the thresholds."""
    row = feed_row(
        given_names="Amelia",
        family_name="Thornton",
        date_of_birth="2015-03-14",
        postcode="LS9 9ZZ",
        nhs_number=None,
    )
    health_rows_ingest(world, [row])
    return ClericalReview.objects.select_related("data_key", "submitted_by").get()


def _children() -> list[tuple[Any, ...]]:
    return sorted(Child.objects.values_list("pk", "status", "shielded", "updated_at"))


@pytest.mark.parametrize("how", ["suspended", "closed"])
@pytest.mark.parametrize("decision", ReviewDecision.ALL)
def test_a_review_decided_by_someone_ended_since_their_request_read_them_changes_nothing(
    world, child, decision, how
):
    review = _possible_match(world)
    decider = _ended(world.lena, how, world)
    before, events = _children(), AuditEvent.objects.count()
    chosen = child.pk if decision == ReviewDecision.LINK else None

    with pytest.raises(ActorCannotAct):
        review_decide(
            review=review,
            decision=decision,
            by=decider,
            child_id=chosen,
            recheck=_decision_recheck(decider, decision),
        )

    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.status, stored.decided_child_id, stored.copy_shredded_at) == (
        ReviewStatus.OPEN,
        None,
        None,
    )
    assert _children() == before
    assert child_details(Child.objects.get(pk=child.pk)).address.postcode == "LS1 4AB"
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("how", ["suspended", "closed"])
def test_a_merge_by_someone_ended_since_their_request_read_them_changes_nothing(world, child, how):
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thorntone", postcode="LS6 1AA")
    decider = _ended(world.lena, how, world)
    before, events = _children(), AuditEvent.objects.count()

    with pytest.raises(ActorCannotAct):
        child_merge(
            survivor=Child.objects.select_related("data_key").get(pk=child.pk),
            duplicate=Child.objects.select_related("data_key").get(pk=duplicate.pk),
            by=decider,
            reason=REASON,
        )

    assert _children() == before
    assert not ChildMerge.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("how", ["suspended", "closed"])
def test_an_unmerge_by_someone_ended_since_their_request_read_them_changes_nothing(world, child, how):
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thorntone", postcode="LS6 1AA")
    merge = child_merge(
        survivor=Child.objects.select_related("data_key").get(pk=child.pk),
        duplicate=Child.objects.select_related("data_key").get(pk=duplicate.pk),
        by=world.lena,
        reason=REASON,
    )
    decider = _ended(world.lena, how, world)
    before, events = _children(), AuditEvent.objects.count()

    with pytest.raises(ActorCannotAct):
        child_unmerge(
            merge=ChildMerge.objects.select_related("survivor").get(pk=merge.pk), by=decider, reason=REASON
        )

    stored = ChildMerge.objects.get(pk=merge.pk)
    assert (stored.unmerged_at, stored.unmerged_by_id, stored.restored_child_id) == (None, None, None)
    assert _children() == before
    assert AuditEvent.objects.count() == events
