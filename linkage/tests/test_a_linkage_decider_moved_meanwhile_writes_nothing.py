"""An LA team member put in another LA, or made a practitioner, between the page's check and the write
merges, unmerges and decides nothing.

The merge, the unmerge and the clerical review decision re-checked the person's vetting under their
account's lock (`accounts.services.actor_able_locked`), but not the page's policy question: the review's
recheck asked it of the account as the request loaded it, the merge and unmerge not at all. Each now asks
it again of the account as stored under that lock (as corrections do since session 37): the review's on
its page (`linkage.views._decision_recheck`), the merge's and unmerge's through the `recheck` the page
passes (`linkage.merging.MergeRecheck`, `UnmergeRecheck`): refused, audited, nothing written.
"""

from typing import Any

import pytest
from django.urls import reverse

import linkage.merge_views
import linkage.views
from access.http import Refused, require
from access.permissions import Permission
from accounts.models import Role, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from linkage.merging import child_merge, child_unmerge
from linkage.models import ChildMerge, ClericalReview, ReviewStatus
from linkage.tests.test_merge_pages import REASON, _pair
from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in
from tests.personas import World

CHANGES = {"moved_la": "other_la", "made_practitioner": "role_not_permitted"}


def _changed(world: World, change: str) -> dict[str, Any]:
    return {"organisation": world.south} if change == "moved_la" else {"role": Role.PRACTITIONER}


def _merge_recheck(stored: Child, by: User) -> None:
    """What the merge page passes (`linkage.merge_views.merge_compare`)."""
    require(actor=by, action=Permission.ChildMerge, child=stored)


def _unmerge_recheck(merge: ChildMerge, survivor: Child, by: User) -> None:
    """What the merge page passes to undo one (`linkage.merge_views.merge_detail`)."""
    require(actor=by, action=Permission.ChildMerge, child=survivor, merge=merge)


@pytest.mark.parametrize("change", CHANGES)
def test_a_review_decided_by_a_team_member_moved_out_meanwhile_is_refused_and_stays_open(
    world, child, monkeypatch, change
):
    review = _possible_match(world, child)
    real = linkage.views.review_decide

    def changed_first(*args: Any, **kwargs: Any) -> Any:
        User.objects.filter(pk=world.lena.pk).update(**_changed(world, change))
        return real(*args, **kwargs)

    monkeypatch.setattr(linkage.views, "review_decide", changed_first)

    response = signed_in(world.lena).post(
        reverse("linkage:review", args=[review.pk]), {"decision": "link", "child": str(child.pk)}
    )

    assert response.status_code == 403, response.status_code
    assert "You cannot do this</h1>" in response.content.decode()
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewDecided).exists()
    refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).latest("pk")
    assert refusal.additional["reason"] == CHANGES[change]


@pytest.mark.parametrize("change", CHANGES)
def test_a_merge_by_a_team_member_moved_out_meanwhile_is_refused_and_writes_nothing(world, change):
    survivor, duplicate = _pair(world)
    User.objects.filter(pk=world.lena.pk).update(**_changed(world, change))  # after the page's check

    with pytest.raises(Refused) as refused:
        child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, recheck=_merge_recheck)

    assert refused.value.decision.reason == CHANGES[change]
    assert Child.objects.filter(pk=duplicate.pk).exists()
    assert not ChildMerge.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildMerged).exists()


@pytest.mark.parametrize("change", CHANGES)
def test_an_unmerge_by_a_team_member_moved_out_meanwhile_is_refused_and_writes_nothing(world, change):
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="same child")
    User.objects.filter(pk=world.lena.pk).update(**_changed(world, change))  # after the page's check

    with pytest.raises(Refused) as refused:
        child_unmerge(merge=merge, by=world.lena, reason="not the same", recheck=_unmerge_recheck)

    assert refused.value.decision.reason == CHANGES[change]
    merge.refresh_from_db()
    assert merge.unmerged_at is None and merge.restored_child_id is None
    assert not Child.objects.filter(index_number=merge.duplicate_index_number).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildUnmerged).exists()


def test_a_merge_and_its_undo_by_a_team_member_still_in_the_la_write_as_before(world):
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, recheck=_merge_recheck)
    assert not Child.objects.filter(pk=duplicate.pk).exists()
    restored = child_unmerge(merge=merge, by=world.lena, recheck=_unmerge_recheck)
    assert restored.index_number == duplicate.index_number
    assert ChildMerge.objects.get(pk=merge.pk).unmerged_at is not None


def test_the_merge_recheck_is_asked_of_each_record_as_locked_and_the_account_as_stored(world):
    survivor, duplicate = _pair(world)
    asked: list[tuple[Any, int, int | None]] = []

    def recheck(stored: Child, by: User) -> None:
        assert by is not world.lena  # read again, not the request's copy
        asked.append((stored.pk, by.pk, by.home_la_id))

    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, recheck=recheck)
    assert sorted(pk for pk, _, _ in asked) == sorted([survivor.pk, duplicate.pk])
    assert {(pk, la) for _, pk, la in asked} == {(world.lena.pk, world.north.pk)}


def _moved_on_the_way(monkeypatch: Any, name: str, user: User, how: dict[str, Any]) -> None:
    """The account changes after the merge page's own check, as the page calls the service."""
    real = getattr(linkage.merge_views, name)

    def moved(*args: Any, **kwargs: Any) -> Any:
        User.objects.filter(pk=user.pk).update(**how)
        return real(*args, **kwargs)

    monkeypatch.setattr(linkage.merge_views, name, moved)


@pytest.mark.parametrize("change", CHANGES)
def test_the_merge_page_refuses_a_team_member_moved_out_on_the_way_and_merges_nothing(
    world, monkeypatch, change
):
    survivor, duplicate = _pair(world)
    _moved_on_the_way(monkeypatch, "child_merge", world.lena, _changed(world, change))
    response = signed_in(world.lena).post(
        reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk]), REASON
    )
    assert response.status_code == 403
    assert Child.objects.filter(pk=duplicate.pk).exists() and not ChildMerge.objects.exists()
    refused = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).last()
    assert refused is not None and refused.additional["reason"] == CHANGES[change]


@pytest.mark.parametrize("change", CHANGES)
def test_the_undo_page_refuses_a_team_member_moved_out_on_the_way_and_undoes_nothing(
    world, monkeypatch, change
):
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="Same child")
    _moved_on_the_way(monkeypatch, "child_unmerge", world.lena, _changed(world, change))
    response = signed_in(world.lena).post(reverse("linkage:merge_detail", args=[merge.pk]), REASON)
    assert response.status_code == 403
    merge.refresh_from_db()
    assert merge.unmerged_at is None and not Child.objects.filter(pk=duplicate.pk).exists()
    refused = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).last()
    assert refused is not None and refused.additional["reason"] == CHANGES[change]
