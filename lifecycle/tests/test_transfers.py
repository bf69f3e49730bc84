"""A child moves LA by request and acceptance: both teams see it, the receiving team decides, once."""

import threading
from datetime import date

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrganisationKind, Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import TransferRefused, transfer_accept, transfer_decline, transfer_request
from lifecycle.services import child_archive
from tests.authorisation.world import make_org
from tests.journeys import signed_in
from tests.other_la import main_of
from tests.pages import headings
from tests.personas import build_world, make_child, make_user

REASON = "Family moved to Southborough in May"


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


def _request(world, child, reason=REASON):
    return transfer_request(child=child, to_la=world.south, by=world.lena, reason=reason)


def _refusal(response) -> str:
    page = response.content.decode()
    marker = 'data-reason="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_the_owning_team_requests_a_transfer_and_the_receiving_team_sees_it_waiting(world, stella):
    child = make_child(world)
    lena = signed_in(world.lena)
    page = lena.get(reverse("moves:transfer_new", args=[child.pk])).content.decode()
    assert headings(page) == ["Transfer this record to another local authority"]
    response = lena.post(
        reverse("moves:transfer_new", args=[child.pk]), {"to_la": str(world.south.pk), "reason": REASON}
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "moves:transfer", args=[transfer.pk]
    )
    assert (transfer.from_la, transfer.to_la, transfer.status) == (
        world.north,
        world.south,
        TransferStatus.PENDING,
    )
    assert REASON not in transfer.reason_sealed  # sealed under the child's key
    waiting = signed_in(stella).get(reverse("moves:transfers")).content.decode()
    assert 'id="to-decide"' in waiting and "Amelia Thornton" in waiting
    sent = lena.get(reverse("moves:transfers")).content.decode()
    assert 'id="to-decide"' not in sent and "Amelia Thornton" in sent and "Waiting for the receiving" in sent
    event = AuditEvent.objects.get(tag=AuditTag.TransferRequested)
    assert event.child_id == child.pk and event.actor_id == world.lena.pk
    assert event.additional["to_la_id"] == world.south.pk


def test_accepting_moves_the_record_to_the_receiving_la_and_both_teams_see_the_outcome(world, stella):
    child = make_child(world)
    transfer = _request(world, child)
    response = signed_in(stella).post(reverse("moves:transfer", args=[transfer.pk]), {"decision": "accept"})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.local_authority_id == world.south.pk
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == (TransferStatus.ACCEPTED, stella)
    page = signed_in(world.lena).get(reverse("moves:transfer", args=[transfer.pk])).content.decode()
    assert '<dd class="govuk-summary-list__value" id="transfer-outcome">Accepted' in page
    assert 'name="decision"' not in page  # the sending team never decides
    event = AuditEvent.objects.get(tag=AuditTag.TransferAccepted)
    assert (event.child_id, event.actor_id) == (child.pk, stella.pk)
    assert (event.additional["from_la_id"], event.additional["to_la_id"]) == (world.north.pk, world.south.pk)
    # the record is now South's: North's team no longer manages it, South's does
    # (the team that sent it is told the record is another LA's, while that LA holds it: review, session 37)
    refused = signed_in(world.lena).get(reverse("moves:transfer_new", args=[child.pk]))
    assert refused.status_code == 403 and _refusal(refused) == "other_la"
    assert signed_in(stella).get(reverse("moves:address", args=[child.pk])).status_code == 200


def test_declining_needs_a_reason_and_the_sending_team_sees_it(world, stella):
    child = make_child(world)
    transfer = _request(world, child)
    client = signed_in(stella)
    url = reverse("moves:transfer", args=[transfer.pk])
    response = client.post(url, {"decision": "decline"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Transfer of a record - ContactPoint</title>" in page
    assert "Enter why you are declining the transfer" in page
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING
    assert (
        client.post(url, {"decision": "decline", "decline_reason": "Not known at this address"}).status_code
        == 302
    )
    transfer.refresh_from_db()
    child.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED and child.local_authority_id == world.north.pk
    seen = signed_in(world.lena).get(url).content.decode()
    assert "Declined" in seen and "Not known at this address" in seen
    looked = AuditEvent.objects.filter(tag=AuditTag.TransferViewed, child_id=child.pk, actor=world.lena)
    assert looked.count() == 1  # each look at a request names the child, so each is audited
    assert AuditEvent.objects.filter(tag=AuditTag.TransferDeclined, child_id=child.pk).count() == 1


def test_a_second_accept_of_the_same_request_changes_nothing(world, stella):
    child = make_child(world)
    transfer = _request(world, child)
    assert transfer_accept(transfer=transfer, by=stella) is True
    assert transfer_accept(transfer=transfer, by=stella) is False
    assert transfer_decline(transfer=transfer, by=stella, reason="Changed our mind") is False
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED
    assert AuditEvent.objects.filter(tag=AuditTag.TransferAccepted).count() == 1
    assert not AuditEvent.objects.filter(tag=AuditTag.TransferDeclined).exists()
    refused = signed_in(stella).post(reverse("moves:transfer", args=[transfer.pk]), {"decision": "accept"})
    assert refused.status_code == 403 and _refusal(refused) == "transfer_decided"


def test_an_accept_for_a_record_that_moved_meanwhile_changes_nothing(world, stella):
    child = make_child(world)
    transfer = _request(world, child)
    west = make_org(OrganisationKind.LOCAL_AUTHORITY, "Westmoor Council", None)
    Child.objects.filter(pk=child.pk).update(local_authority=west)
    assert transfer_accept(transfer=transfer, by=stella) is False
    transfer.refresh_from_db()
    child.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING and child.local_authority_id == west.pk
    assert not AuditEvent.objects.filter(tag=AuditTag.TransferAccepted).exists()


def test_the_sending_team_cannot_decide_its_own_request(world, stella):
    child = make_child(world)
    transfer = _request(world, child)
    response = signed_in(world.lena).post(
        reverse("moves:transfer", args=[transfer.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403 and _refusal(response) == "not_receiving_la"
    child.refresh_from_db()
    assert child.local_authority_id == world.north.pk


def test_another_la_team_cannot_transfer_a_child_it_does_not_hold(world, stella):
    child = make_child(world)
    response = signed_in(stella).post(
        reverse("moves:transfer_new", args=[child.pk]), {"to_la": str(world.south.pk), "reason": REASON}
    )
    # by id alone: refused, and told nothing of the child (review, session 37)
    assert response.status_code == 403 and _refusal(response) == "not_found_by_search"
    assert world.north.name not in main_of(response)
    assert not Transfer.objects.exists()
    assert AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=stella).additional["reason"] == "other_la"


def test_a_third_la_team_neither_sees_nor_decides_a_transfer_between_two_others(world, stella):
    child = make_child(world)
    transfer = _request(world, child)
    west = make_org(OrganisationKind.LOCAL_AUTHORITY, "Westmoor Council", None)
    walter = signed_in(make_user("walter", west, Role.LA_TEAM))
    response = walter.get(reverse("moves:transfer", args=[transfer.pk]))
    assert response.status_code == 403 and _refusal(response) == "other_la"
    assert "Amelia" not in walter.get(reverse("moves:transfers")).content.decode()


def test_practitioners_cannot_request_see_or_decide_transfers(world, stella):
    child = make_child(world)
    transfer = _request(world, child)
    alice = signed_in(world.alice)
    for response in (
        alice.get(reverse("moves:transfer_new", args=[child.pk])),
        alice.get(reverse("moves:transfers")),
        alice.post(reverse("moves:transfer", args=[transfer.pk]), {"decision": "accept"}),
    ):
        assert response.status_code == 403 and _refusal(response) == "role_not_permitted"
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING


def test_a_suspended_receiving_team_member_cannot_accept(world, stella):
    child = make_child(world)
    transfer = _request(world, child)
    client = signed_in(stella)
    stella.suspended_at = timezone.now()
    stella.save(update_fields=["suspended_at"])
    response = client.post(reverse("moves:transfer", args=[transfer.pk]), {"decision": "accept"})
    assert response.status_code == 403 and _refusal(response) == "suspended"
    transfer.refresh_from_db()
    child.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING and child.local_authority_id == world.north.pk


def test_a_shielded_child_can_be_transferred_and_the_receiving_team_sees_it_is_shielded(world, stella):
    child = make_child(world, given_names="Jasmine", family_name="Okafor", postcode="LS6 2QT", shielded=True)
    lena = signed_in(world.lena)
    response = lena.post(
        reverse("moves:transfer_new", args=[child.pk]), {"to_la": str(world.south.pk), "reason": REASON}
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    page = signed_in(stella).get(reverse("moves:transfer", args=[transfer.pk])).content.decode()
    shielded_row = page[page.index('id="transfer-shielded"') :][:200]
    assert "Shielded" in shielded_row
    assert "LS6 2QT" not in page and "Quarry Lane" not in page  # never the address before it is theirs
    listing = signed_in(stella).get(reverse("moves:transfers")).content.decode()
    assert "Jasmine Okafor" in listing and "govuk-tag--orange" in listing
    assert (
        signed_in(stella)
        .post(reverse("moves:transfer", args=[transfer.pk]), {"decision": "accept"})
        .status_code
        == 302
    )
    child.refresh_from_db()
    assert child.local_authority_id == world.south.pk and child.shielded


def test_only_one_request_per_child_waits_at_a_time(world, stella):
    child = make_child(world)
    _request(world, child)
    with pytest.raises(TransferRefused):
        _request(world, child)
    assert Transfer.objects.count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.TransferRequested).count() == 1


def test_a_transfer_to_the_owning_la_itself_is_refused(world):
    child = make_child(world)
    with pytest.raises(TransferRefused):
        transfer_request(child=child, to_la=world.north, by=world.lena, reason=REASON)


def test_an_archived_child_cannot_be_transferred_nor_a_pending_transfer_of_it_accepted(world, stella):
    child = make_child(world)
    transfer = _request(world, child)
    child_archive(child_id=child.pk, rule="age", today=timezone.localdate())
    response = signed_in(world.lena).get(reverse("moves:transfer_new", args=[child.pk]))
    assert response.status_code == 403 and _refusal(response) == "archived"
    response = signed_in(stella).post(reverse("moves:transfer", args=[transfer.pk]), {"decision": "accept"})
    assert response.status_code == 403 and _refusal(response) == "archived"


def test_a_pending_transfer_of_a_child_archived_since_names_the_child_to_neither_team(world, stella):
    """The archive is the data manager's: once archived, the request no longer names the child anywhere."""
    child = make_child(world)  # Amelia Thornton, North
    transfer = _request(world, child)
    child_archive(child_id=child.pk, rule="age", today=timezone.localdate())
    for who in (stella, world.lena):
        client = signed_in(who)
        listed = client.get(reverse("moves:transfers")).content.decode()
        assert "Transfers between local authorities" in headings(listed)
        assert "Amelia" not in listed and REASON not in listed
        response = client.get(reverse("moves:transfer", args=[transfer.pk]))
        assert response.status_code == 403 and _refusal(response) == "archived"
        assert "Amelia" not in response.content.decode()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer on one database lock, so two accepts cannot race there",
)
def test_two_accepts_racing_move_the_record_once():
    world = build_world()
    stella = make_user("stella", world.south, Role.LA_TEAM)
    steve = make_user("steve", world.south, Role.LA_TEAM)
    for _ in range(5):  # several rounds: whichever thread wins, the other changes nothing
        child = Child.objects.select_related("data_key").get(pk=make_child(world).pk)
        transfer = _request(world, child)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def accept(by, transfer=transfer, barrier=barrier, outcomes=outcomes) -> None:
            try:
                barrier.wait(timeout=30)
                outcomes.append("moved" if transfer_accept(transfer=transfer, by=by) else "unchanged")
            except BaseException as error:
                outcomes.append(f"failed: {error!r}")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=accept, args=(by,)) for by in (stella, steve)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["moved", "unchanged"], outcomes
        assert AuditEvent.objects.filter(tag=AuditTag.TransferAccepted, child_id=child.pk).count() == 1
        assert Child.objects.get(pk=child.pk).local_authority_id == world.south.pk


def test_the_list_of_transfers_names_each_child_so_each_child_named_is_audited(world, stella):
    """The list shows names (to a receiving team that does not hold the record yet): each child's access
    report must show that this team member saw it, as a look at one request does."""
    first, second = make_child(world), make_child(world, given_names="Ben", family_name="Okafor")
    _request(world, first)
    _request(world, second)
    page = signed_in(stella).get(reverse("moves:transfers")).content.decode()
    assert "Amelia Thornton" in page and "Ben Okafor" in page
    listed = AuditEvent.objects.filter(tag=AuditTag.TransfersListed, actor=stella)
    assert sorted(str(e.child_id) for e in listed) == sorted([str(first.pk), str(second.pk)])


def test_a_decision_page_shown_again_with_an_error_is_audited_like_a_look(world, stella):
    """The page shown again with "Enter why you are declining" names the child just as the first look did."""
    child = make_child(world)
    transfer = _request(world, child)
    response = signed_in(stella).post(reverse("moves:transfer", args=[transfer.pk]), {"decision": "decline"})
    assert response.status_code == 400 and "Amelia Thornton" in response.content.decode()
    assert (
        AuditEvent.objects.filter(tag=AuditTag.TransferViewed, child_id=child.pk, actor=stella).count() == 1
    )


def test_a_record_transferred_since_the_old_las_page_read_it_is_neither_closed_nor_transferred_again(
    world, stella
):
    """North's pages (a new identity, a second transfer) read the record before South accepted it: the
    policy saw North's record. Neither may act on South's record now (found racing on PostgreSQL)."""

    from children.records import Address, ChildDetails, Gender
    from lifecycle.identity import IdentityRefused, NewIdentityCategory, new_identity_create

    child = make_child(world)
    page_copy = Child.objects.select_related("data_key", "local_authority").get(pk=child.pk)  # North's
    assert transfer_accept(transfer=_request(world, child), by=stella)
    east = make_org(OrganisationKind.LOCAL_AUTHORITY, "Eastshire Council", None)
    with pytest.raises(TransferRefused):
        transfer_request(child=page_copy, to_la=east, by=world.lena, reason=REASON)
    details = ChildDetails(
        given_names="Rose",
        family_name="Hartley",
        gender=Gender.FEMALE,
        date_of_birth=date(2015, 3, 4),
        address=Address(lines=["1 Safe Street", "York"], postcode="YO1 7HH"),
    )
    with pytest.raises(IdentityRefused):
        new_identity_create(
            old=page_copy,
            by=world.lena,
            category=NewIdentityCategory.PROTECTION,
            details=details,
            shielded=True,
        )
    now = Child.objects.get(pk=child.pk)
    assert (now.local_authority_id, now.status) == (world.south.pk, "active")
    assert not Transfer.objects.filter(status=TransferStatus.PENDING).exists()
