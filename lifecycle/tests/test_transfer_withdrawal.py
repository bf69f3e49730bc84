"""The sending LA team takes back a transfer request still waiting. A request cannot otherwise end
without the receiving team's decision, so one sent in error, or to an LA that closed since (nobody there
can decide it), kept the child from being asked for by any LA for ever (one waiting request a child).
"""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrganisationKind, Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import (
    WITHDRAWAL_REASON_CONTEXT,
    TransferRefused,
    transfer_accept,
    transfer_decline,
    transfer_not_changed_reason,
    transfer_request,
    transfer_withdraw,
)
from tests.authorisation.world import make_org
from tests.journeys import signed_in
from tests.pages import headings
from tests.personas import make_child, make_user
from vault.sealing import note_unseal

REASON = "Family moved to Southborough in May"
WITHDRAWAL = "Sent to the wrong local authority: the family moved to Eastshire"
WITHDRAW_FORM = {"reason": WITHDRAWAL, "confirm": "on"}


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


def _request(world, child, to_la=None):
    return transfer_request(child=child, to_la=to_la or world.south, by=world.lena, reason=REASON)


def _refusal(response) -> str:
    page = response.content.decode()
    marker = 'data-reason="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def _outcome(page: str) -> str:
    start = page.index('id="transfer-outcome">') + len('id="transfer-outcome">')
    return html.unescape(page[start : page.index("</dd>", start)])


def _banner(client, response) -> str:
    """The page a POST redirected to, with the message it left for the person."""
    assert response.status_code == 302, response.status_code
    return html.unescape(client.get(response["Location"]).content.decode())


def test_the_sending_team_withdraws_a_waiting_request_and_the_record_can_be_transferred_again(world, stella):
    child = make_child(world)
    transfer = _request(world, child)
    lena = signed_in(world.lena)
    page = lena.get(reverse("moves:transfer", args=[transfer.pk])).content.decode()
    assert reverse("moves:transfer_withdraw", args=[transfer.pk]) in page  # offered while it waits
    page = lena.get(reverse("moves:transfer_withdraw", args=[transfer.pk])).content.decode()
    assert headings(page) == ["Withdraw this transfer request"]
    assert "Amelia Thornton" in page and "Southborough Council will no longer be able to" in page

    response = lena.post(reverse("moves:transfer_withdraw", args=[transfer.pk]), WITHDRAW_FORM)

    assert response["Location"] == reverse("moves:transfer", args=[transfer.pk])
    shown = _banner(lena, response)
    assert "Transfer request withdrawn. Southborough Council can no longer accept it" in shown
    assert _outcome(shown).startswith("Withdrawn by the sending local authority")
    assert f"Reason: {WITHDRAWAL}" in _outcome(shown)
    assert reverse("moves:transfer_withdraw", args=[transfer.pk]) not in shown  # nothing left to withdraw
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == (TransferStatus.WITHDRAWN, world.lena)
    assert transfer.decided_at is not None
    assert WITHDRAWAL not in transfer.withdrawal_reason_sealed  # sealed under the child's key
    opened = note_unseal(
        child.data_key, context=WITHDRAWAL_REASON_CONTEXT, sealed=transfer.withdrawal_reason_sealed
    )
    assert opened == WITHDRAWAL
    event = AuditEvent.objects.get(tag=AuditTag.TransferWithdrawn)
    assert (event.child_id, event.actor_id) == (child.pk, world.lena.pk)
    assert (event.additional["transfer_id"], event.additional["to_la_id"]) == (
        str(transfer.pk),
        world.south.pk,
    )
    assert WITHDRAWAL not in str(event.additional)

    # The child is free at once: asked for again (here of another LA), and that request is accepted.
    east = make_org(OrganisationKind.LOCAL_AUTHORITY, "Eastshire Council", None)
    again = lena.post(
        reverse("moves:transfer_new", args=[child.pk]),
        {"to_la": str(east.pk), "reason": "Moved to Eastshire"},
    )
    second = Transfer.objects.get(status=TransferStatus.PENDING)
    assert again["Location"] == reverse("moves:transfer", args=[second.pk]) and second.to_la == east
    assert transfer_accept(transfer=second, by=make_user("erin", east, Role.LA_TEAM))
    child.refresh_from_db()
    assert child.local_authority_id == east.pk


def test_the_receiving_team_sees_the_request_withdrawn_and_can_no_longer_decide_it(world, stella):
    child = make_child(world)
    transfer = _request(world, child)
    transfer_withdraw(transfer=transfer, by=world.lena, reason=WITHDRAWAL)
    south = signed_in(stella)

    listing = south.get(reverse("moves:transfers")).content.decode()
    assert 'id="to-decide"' not in listing  # no longer waiting for South's decision
    assert "Amelia Thornton" in listing and "Withdrawn by the sending local authority" in listing
    page = south.get(reverse("moves:transfer", args=[transfer.pk])).content.decode()
    assert _outcome(page).startswith("Withdrawn by the sending local authority")
    assert 'name="decision"' not in page
    for decision in ({"decision": "accept"}, {"decision": "decline", "decline_reason": "Not ours"}):
        refused = south.post(reverse("moves:transfer", args=[transfer.pk]), decision)
        assert refused.status_code == 403 and _refusal(refused) == "transfer_withdrawn"
        assert "This transfer request was withdrawn by the local authority that sent it" in html.unescape(
            refused.content.decode()
        )
    transfer.refresh_from_db()
    child.refresh_from_db()
    assert transfer.status == TransferStatus.WITHDRAWN and child.local_authority_id == world.north.pk
    assert not AuditEvent.objects.filter(
        tag__in=[AuditTag.TransferAccepted, AuditTag.TransferDeclined]
    ).exists()


def test_the_receiving_team_cannot_withdraw_a_request_sent_to_it(world, stella):
    transfer = _request(world, make_child(world))
    south = signed_in(stella)
    page = south.get(reverse("moves:transfer", args=[transfer.pk])).content.decode()
    assert reverse("moves:transfer_withdraw", args=[transfer.pk]) not in page
    for response in (
        south.get(reverse("moves:transfer_withdraw", args=[transfer.pk])),
        south.post(reverse("moves:transfer_withdraw", args=[transfer.pk]), WITHDRAW_FORM),
    ):
        assert response.status_code == 403 and _refusal(response) == "not_sending_la"
        assert "Only the ContactPoint team of the local authority that asked can withdraw" in html.unescape(
            response.content.decode()
        )
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING
    assert not AuditEvent.objects.filter(tag=AuditTag.TransferWithdrawn).exists()


def test_a_third_la_team_cannot_withdraw_a_request_between_two_others(world):
    transfer = _request(world, make_child(world))
    west = make_org(OrganisationKind.LOCAL_AUTHORITY, "Westmoor Council", None)
    walter = signed_in(make_user("walter", west, Role.LA_TEAM))
    response = walter.post(reverse("moves:transfer_withdraw", args=[transfer.pk]), WITHDRAW_FORM)
    assert response.status_code == 403 and _refusal(response) == "other_la"
    assert "Amelia" not in response.content.decode()
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING
    assert not AuditEvent.objects.filter(tag=AuditTag.TransferWithdrawn).exists()


def test_no_role_but_the_la_team_can_withdraw_a_request_even_in_the_sending_la(world):
    transfer = _request(world, make_child(world))
    for who in (world.alice, world.dara):  # a North practitioner, North's data manager
        client = signed_in(who)
        for response in (
            client.get(reverse("moves:transfer_withdraw", args=[transfer.pk])),
            client.post(reverse("moves:transfer_withdraw", args=[transfer.pk]), WITHDRAW_FORM),
        ):
            assert response.status_code == 403 and _refusal(response) == "role_not_permitted"
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING
    assert not AuditEvent.objects.filter(tag=AuditTag.TransferWithdrawn).exists()


def test_a_suspended_sending_team_member_cannot_withdraw(world):
    transfer = _request(world, make_child(world))
    client = signed_in(world.lena)
    world.lena.suspended_at = timezone.now()
    world.lena.save(update_fields=["suspended_at"])
    response = client.post(reverse("moves:transfer_withdraw", args=[transfer.pk]), WITHDRAW_FORM)
    assert response.status_code == 403 and _refusal(response) == "suspended"
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING


@pytest.mark.parametrize("decided", [TransferStatus.ACCEPTED, TransferStatus.DECLINED])
def test_a_request_already_decided_cannot_be_withdrawn(world, stella, decided):
    child = make_child(world)
    transfer = _request(world, child)
    page_copy = Transfer.objects.select_related("child__data_key").get(pk=transfer.pk)  # read while pending
    if decided == TransferStatus.ACCEPTED:
        assert transfer_accept(transfer=transfer, by=stella)
    else:
        assert transfer_decline(transfer=transfer, by=stella, reason="Not known here")

    refused = signed_in(world.lena).post(
        reverse("moves:transfer_withdraw", args=[transfer.pk]), WITHDRAW_FORM
    )
    assert refused.status_code == 403 and _refusal(refused) == "transfer_decided"
    # The same, when the page read the request before the decision was saved: the service re-reads it.
    with pytest.raises(TransferRefused) as raised:
        transfer_withdraw(transfer=page_copy, by=world.lena, reason=WITHDRAWAL)
    assert str(raised.value) == (
        f"This request has already been {decided} by the receiving local authority: nothing was changed"
    )
    transfer.refresh_from_db()
    assert transfer.status == decided and transfer.withdrawal_reason_sealed == ""
    assert not AuditEvent.objects.filter(tag=AuditTag.TransferWithdrawn).exists()


def test_a_request_withdrawn_already_is_not_withdrawn_twice(world):
    transfer = _request(world, make_child(world))
    page_copy = Transfer.objects.select_related("child__data_key").get(pk=transfer.pk)
    transfer_withdraw(transfer=transfer, by=world.lena, reason=WITHDRAWAL)
    refused = signed_in(world.lena).get(reverse("moves:transfer_withdraw", args=[transfer.pk]))
    assert refused.status_code == 403 and _refusal(refused) == "transfer_withdrawn"
    with pytest.raises(TransferRefused, match="has withdrawn it: nothing was changed"):
        transfer_withdraw(transfer=page_copy, by=world.lena, reason="Again")
    assert AuditEvent.objects.filter(tag=AuditTag.TransferWithdrawn).count() == 1


def test_a_decision_on_a_page_read_before_the_withdrawal_changes_nothing_and_says_it_was_withdrawn(
    world, stella
):
    child = make_child(world)
    transfer = _request(world, child)
    page_copy = Transfer.objects.select_related("child__data_key").get(pk=transfer.pk)
    transfer_withdraw(transfer=transfer, by=world.lena, reason=WITHDRAWAL)
    assert transfer_accept(transfer=page_copy, by=stella) is False
    assert transfer_decline(transfer=page_copy, by=stella, reason="Not ours") is False
    assert transfer_not_changed_reason(page_copy) == (
        "The local authority that sent this request has withdrawn it: nothing was changed"
    )
    child.refresh_from_db()
    assert child.local_authority_id == world.north.pk
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.WITHDRAWN


def test_a_decision_that_changed_nothing_because_the_record_moved_meanwhile_says_so(world, stella):
    child = make_child(world)
    transfer = _request(world, child)
    west = make_org(OrganisationKind.LOCAL_AUTHORITY, "Westmoor Council", None)
    Child.objects.filter(pk=child.pk).update(local_authority=west)
    assert transfer_accept(transfer=transfer, by=stella) is False
    assert transfer_not_changed_reason(transfer) == (
        "The record is no longer an active record of the local authority that sent it: nothing was changed"
    )


def test_withdrawing_needs_a_reason_and_a_confirmation(world):
    transfer = _request(world, make_child(world))
    lena = signed_in(world.lena)
    response = lena.post(reverse("moves:transfer_withdraw", args=[transfer.pk]), {})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200  # shown again with the errors, as every form page is
    assert "<title>Error: Withdraw this transfer request - ContactPoint</title>" in page
    assert "Enter why you are withdrawing the request" in page
    assert "Confirm that you want to withdraw the request" in page
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING
    assert not AuditEvent.objects.filter(tag=AuditTag.TransferWithdrawn).exists()
    # the page shown again names the child, as each look at a request does: audited
    assert AuditEvent.objects.filter(tag=AuditTag.TransferViewed, actor=world.lena).count() == 1


@pytest.mark.parametrize("reason", ["Sent in \u202erorre", "Wrong\u200b LA", "Wrong \x07LA"])
def test_a_withdrawal_reason_with_invisible_or_control_characters_is_refused(world, reason):
    transfer = _request(world, make_child(world))
    response = signed_in(world.lena).post(
        reverse("moves:transfer_withdraw", args=[transfer.pk]), {"reason": reason, "confirm": "on"}
    )
    assert response.status_code == 200 and headings(response.content.decode()) == [
        "Withdraw this transfer request"
    ]
    assert "control or invisible characters" in response.content.decode()
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING
    assert not AuditEvent.objects.filter(tag=AuditTag.TransferWithdrawn).exists()


def test_a_withdrawal_reason_over_several_lines_is_kept_as_written(world):
    transfer = _request(world, make_child(world))
    reason = "Sent in error.\r\nThe family stayed in Northshire."
    lena = signed_in(world.lena)
    response = lena.post(
        reverse("moves:transfer_withdraw", args=[transfer.pk]), {"reason": reason, "confirm": "on"}
    )
    page = _banner(lena, response)
    assert "Sent in error." in page and "The family stayed in Northshire." in page
