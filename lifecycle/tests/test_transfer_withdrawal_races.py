"""The sending team withdraws a request while the receiving team decides it: two real requests, each on
its own PostgreSQL session (SQLite serialises every writer, so they cannot race there). Both have passed
the policy check on a pending request before either writes. Exactly one wins; the other changes nothing
and is told what happened instead, never shown its own outcome as done.
"""

import contextlib
import html
import threading
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle import moves_views
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import (
    TransferRefused,
    transfer_accept,
    transfer_decline,
    transfer_request,
    transfer_withdraw,
)
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import build_world, make_child, make_user

pytestmark = postgresql_race()

WITHDRAW_FORM = {"reason": "Sent to the wrong local authority", "confirm": "on"}
DECIDED = {"accept": TransferStatus.ACCEPTED, "decline": TransferStatus.DECLINED}


def _all_past_the_policy(*calls: Callable[..., Any]) -> list[Callable[..., Any]]:
    """Each call, made to wait until every one of them is reached: every request has passed its policy
    check on the pending request before any of them writes (as two app servers interleave by chance)."""
    barrier = threading.Barrier(len(calls))

    def meeting(call: Callable[..., Any]) -> Callable[..., Any]:
        def met(*args: Any, **kwargs: Any) -> Any:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            return call(*args, **kwargs)

        return met

    return [meeting(call) for call in calls]


@pytest.mark.parametrize("attempt", range(5))
def test_a_withdrawal_and_an_accept_racing_from_the_two_pages_one_wins_and_the_other_is_told(attempt):
    world = build_world()
    stella = make_user("stella", world.south, Role.LA_TEAM)
    child = Child.objects.select_related("data_key").get(pk=make_child(world).pk)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved")
    lena, south = signed_in(world.lena), signed_in(stella)
    posts = [
        (lena, reverse("moves:transfer_withdraw", args=[transfer.pk]), WITHDRAW_FORM),
        (south, reverse("moves:transfer", args=[transfer.pk]), {"decision": "accept"}),
    ]
    withdraw, accept = _all_past_the_policy(transfer_withdraw, transfer_accept)
    with (
        mock.patch.object(moves_views, "transfer_withdraw", withdraw),
        mock.patch.object(moves_views, "transfer_accept", accept),
    ):
        answers = run_together(2, lambda i: posts[i][0].post(posts[i][1], posts[i][2]))

    assert [a.status_code for a in answers] == [302, 302]
    shown = [
        html.unescape(client.get(a["Location"]).content.decode())
        for (client, _, _), a in zip(posts, answers, strict=True)
    ]
    status = Transfer.objects.get(pk=transfer.pk).status
    withdrawn = AuditEvent.objects.filter(tag=AuditTag.TransferWithdrawn, child_id=child.pk).count()
    accepted = AuditEvent.objects.filter(tag=AuditTag.TransferAccepted, child_id=child.pk).count()
    moved_to = Child.objects.get(pk=child.pk).local_authority_id
    if status == TransferStatus.WITHDRAWN:
        assert (withdrawn, accepted, moved_to) == (1, 0, world.north.pk)
        assert "Transfer request withdrawn." in shown[0]
        assert "The local authority that sent this request has withdrawn it: nothing was changed." in shown[1]
        assert "Transfer accepted." not in shown[1]
    else:
        assert status == TransferStatus.ACCEPTED
        assert (withdrawn, accepted, moved_to) == (0, 1, world.south.pk)
        assert "Transfer accepted. The record now belongs to your local authority." in shown[1]
        assert (
            "This request has already been accepted by the receiving local authority: nothing was changed."
            in shown[0]
        )
        assert "Transfer request withdrawn." not in shown[0]


@pytest.mark.parametrize("decision", ["accept", "decline"])
def test_a_withdrawal_racing_a_decision_leaves_exactly_one_outcome(decision):
    world = build_world()
    stella = make_user("stella", world.south, Role.LA_TEAM)
    for _ in range(5):  # several rounds: whichever writer wins, the other changes nothing
        child = Child.objects.select_related("data_key").get(pk=make_child(world).pk)
        transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved")

        def withdraw(transfer: Transfer = transfer) -> str:
            try:
                transfer_withdraw(transfer=transfer, by=world.lena, reason="Sent in error")
            except TransferRefused:
                return "unchanged"
            return "withdrawn"

        def decide(transfer: Transfer = transfer) -> str:
            if decision == "accept":
                done = transfer_accept(transfer=transfer, by=stella)
            else:
                done = transfer_decline(transfer=transfer, by=stella, reason="Not known here")
            return "decided" if done else "unchanged"

        outcomes = run_together(2, lambda i, w=withdraw, d=decide: (w, d)[i]())

        assert sorted(outcomes) in (["unchanged", "withdrawn"], ["decided", "unchanged"]), outcomes
        stored = Transfer.objects.get(pk=transfer.pk).status
        expected = TransferStatus.WITHDRAWN if outcomes[0] == "withdrawn" else DECIDED[decision]
        assert stored == expected
        events = AuditEvent.objects.filter(
            child_id=child.pk,
            tag__in=[AuditTag.TransferWithdrawn, AuditTag.TransferAccepted, AuditTag.TransferDeclined],
        )
        assert events.count() == 1
        moved = Child.objects.get(pk=child.pk).local_authority_id == world.south.pk
        assert moved == (stored == TransferStatus.ACCEPTED)
