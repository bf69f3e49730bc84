"""A reviewer or LA team member suspended while their linkage decision is on its way changes nothing
(PostgreSQL, two real sessions).

The review page (link, new child, not a match) and the merge pages (merge, unmerge) asked the policy
once, at the start of the request, and the decision was written with no second look at the person
deciding: Lena, suspended by a system administrator a moment after her merge passed the policy, still
merged two children's records, credited in the log to a suspended account. Here her request is paused
after the policy, just before the service, while the suspension commits on another session: the
service, judging her again under her row's lock, writes nothing, and the page answers as her next
request would, the audited refusal, signed out.
"""

from typing import Any

import pytest
from django.urls import reverse

import linkage.merge_views
import linkage.views
from accounts.models import Role, User
from accounts.services import account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from feeds.review import ReviewDecision
from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.merging import child_merge
from linkage.models import ChildMerge, ClericalReview, ReviewStatus
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.personas import build_world, make_child, make_user

pytestmark = postgresql_race()

REASON = {"reason": "Synthetic reason", "confirmed": "on"}


def _children() -> list[tuple[Any, ...]]:
    return sorted(Child.objects.values_list("pk", "status", "shielded", "updated_at"))


def _suspended_on_the_way(
    world: Any,
    monkeypatch: pytest.MonkeyPatch,
    where: object,
    service: str,
    decider: User,
    url: str,
    data: dict,
) -> Any:
    """`decider` posts `data` to `url`; past the policy, before `service`, an administrator suspends them.
    Returns the page, once every decision-bearing row was read before and compared after."""
    admin = make_user("ada", world.nadia.organisation, Role.SYSTEM_ADMIN)
    client = signed_in(decider)
    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    response, suspended = paused_for(
        monkeypatch,
        where,
        service,
        before=True,
        read=lambda: client.post(url, data),
        write=lambda: account_suspend(user=User.objects.get(pk=decider.pk), by=admin, reason="Synthetic"),
    )
    assert suspended
    assert response.status_code == 403
    assert "Your account is suspended." in response.content.decode()
    # Nothing but the suspension, the refusal and the sign-out was audited: no decision.
    audited = set(AuditEvent.objects.filter(pk__gt=mark).values_list("tag", "actor_id"))
    assert audited == {
        (AuditTag.AccountSuspended, admin.pk),
        (AuditTag.AccessDenied, decider.pk),
        (AuditTag.LoggedOut, decider.pk),
    }
    assert client.get(reverse("linkage:reviews")).status_code == 302  # signed out
    return response


@pytest.mark.parametrize("decision", ReviewDecision.ALL)
def test_a_review_decided_by_someone_suspended_on_the_way_changes_nothing(monkeypatch, decision):
    world = build_world()
    child = make_child(world)
    row = feed_row(
        given_names="Amelia",
        family_name="Thornton",
        date_of_birth="2015-03-14",
        postcode="LS9 9ZZ",
        nhs_number=None,
    )
    health_rows_ingest(world, [row])
    review = ClericalReview.objects.get()
    data = {"decision": decision, **({"child": str(child.pk)} if decision == ReviewDecision.LINK else {})}
    before = _children()

    _suspended_on_the_way(
        world,
        monkeypatch,
        linkage.views,
        "review_decide",
        world.lena,
        reverse("linkage:review", args=[review.pk]),
        data,
    )

    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.status, stored.decided_child_id, stored.copy_shredded_at) == (
        ReviewStatus.OPEN,
        None,
        None,
    )
    assert _children() == before
    assert child_details(Child.objects.get(pk=child.pk)).address.postcode == "LS1 4AB"


def _pair(world: Any) -> tuple[Child, Child]:
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thorntone", postcode="LS6 1AA")
    return survivor, duplicate


def test_a_merge_by_someone_suspended_on_the_way_changes_nothing(monkeypatch):
    world = build_world()
    survivor, duplicate = _pair(world)
    before = _children()

    _suspended_on_the_way(
        world,
        monkeypatch,
        linkage.merge_views,
        "child_merge",
        world.lena,
        reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk]),
        REASON,
    )

    assert _children() == before
    assert not ChildMerge.objects.exists()


def test_an_unmerge_by_someone_suspended_on_the_way_changes_nothing(monkeypatch):
    world = build_world()
    survivor, duplicate = _pair(world)
    merge = child_merge(
        survivor=Child.objects.select_related("data_key").get(pk=survivor.pk),
        duplicate=Child.objects.select_related("data_key").get(pk=duplicate.pk),
        by=world.lena,
    )
    before = _children()

    _suspended_on_the_way(
        world,
        monkeypatch,
        linkage.merge_views,
        "child_unmerge",
        world.lena,
        reverse("linkage:merge_detail", args=[merge.pk]),
        REASON,
    )

    stored = ChildMerge.objects.get(pk=merge.pk)
    assert (stored.unmerged_at, stored.unmerged_by_id, stored.restored_child_id) == (None, None, None)
    assert _children() == before
