"""The account change and the linkage decision on real PostgreSQL sessions: an LA team member moved to
another LA, committed after the page's check and before the decision locks the account, is refused there
(the policy asked again of the account as stored); a move arriving while the decision holds the account
waits for it (the decision was made by the team member as they then were)."""

from typing import Any

from django.urls import reverse

import linkage.merging
import linkage.views
from access.http import Refused, require
from access.permissions import Permission
from accounts.models import User
from children.models import Child
from linkage.merging import child_merge, child_unmerge
from linkage.models import ChildMerge, ClericalReview, ReviewStatus
from linkage.tests.test_merge_pages import _pair
from linkage.tests.test_review_pages import _possible_match
from tests.concurrency import WAITED, paused_for, postgresql_race, waiting_at_most
from tests.journeys import signed_in

pytestmark = postgresql_race()


def _moved(world) -> Any:
    def move() -> int:
        return User.objects.filter(pk=world.lena.pk).update(organisation=world.south)

    return move


def _merge_recheck(stored: Child, by: User) -> None:
    require(actor=by, action=Permission.ChildMerge, child=stored)


def _unmerge_recheck(merge: ChildMerge, survivor: Child, by: User) -> None:
    require(actor=by, action=Permission.ChildMerge, child=survivor, merge=merge)


def test_a_review_decision_by_a_team_member_moved_out_just_before_it_locks_them_is_refused(
    world, child, monkeypatch
):
    review = _possible_match(world, child)
    client = signed_in(world.lena)
    url = reverse("linkage:review", args=[review.pk])

    response, _ = paused_for(
        monkeypatch,
        linkage.views,
        "actor_able_locked",
        read=lambda: client.post(url, {"decision": "link", "child": str(child.pk)}),
        write=_moved(world),
        before=True,
    )

    assert response.status_code == 403
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN


def test_a_move_arriving_while_the_review_decision_holds_the_account_waits_for_it(world, child, monkeypatch):
    review = _possible_match(world, child)
    client = signed_in(world.lena)
    url = reverse("linkage:review", args=[review.pk])

    response, moved = paused_for(
        monkeypatch,
        linkage.views,
        "actor_able_locked",
        read=lambda: client.post(url, {"decision": "link", "child": str(child.pk)}),
        write=waiting_at_most(_moved(world)),
    )

    assert moved == WAITED  # the decision held the account: the move waited behind it
    assert response.status_code == 302
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.LINKED


def _refused(call: Any) -> Any:
    try:
        return call()
    except Refused as refused:
        return refused


def test_a_merge_by_a_team_member_moved_out_just_before_it_locks_them_writes_nothing(world, monkeypatch):
    survivor, duplicate = _pair(world)

    outcome, _ = paused_for(
        monkeypatch,
        linkage.merging,
        "actor_able_locked",
        read=lambda: _refused(
            lambda: child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, recheck=_merge_recheck)
        ),
        write=_moved(world),
        before=True,
    )

    assert isinstance(outcome, Refused) and outcome.decision.reason == "other_la"
    assert Child.objects.filter(pk=duplicate.pk).exists() and not ChildMerge.objects.exists()


def test_an_unmerge_by_a_team_member_moved_out_just_before_it_locks_them_writes_nothing(world, monkeypatch):
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="same child")

    outcome, _ = paused_for(
        monkeypatch,
        linkage.merging,
        "actor_able_locked",
        read=lambda: _refused(lambda: child_unmerge(merge=merge, by=world.lena, recheck=_unmerge_recheck)),
        write=_moved(world),
        before=True,
    )

    assert isinstance(outcome, Refused) and outcome.decision.reason == "other_la"
    assert ChildMerge.objects.get(pk=merge.pk).unmerged_at is None
