"""The policy on moves and identity changes: the owning LA team, on an active record; transfers decided
by the receiving team, once. The pages are tried in lifecycle/tests and the authorisation matrix."""

from datetime import date

from access.permissions import Permission
from access.policy import decide
from accounts.models import Organisation, OrganisationKind, Role
from children.models import Child, RecordStatus
from lifecycle.moves import transfer_request
from tests.personas import make_child, make_user


def test_an_la_team_account_without_a_home_la_manages_no_moves(world):
    national = Organisation.objects.create(
        kind=OrganisationKind.NATIONAL, name="National", code="NAT-9", accredited_on=date(2020, 1, 1)
    )
    nobody = make_user("nobody", national, Role.LA_TEAM)
    child = make_child(world)
    for action in (Permission.TransferView, Permission.TransferRequest, Permission.NewIdentityCreate):
        assert decide(actor=nobody, action=action, child=child).reason == "no_organisation"


def test_a_transfer_of_a_record_closed_meanwhile_is_shown_and_decided_by_nobody(world):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    child = make_child(world)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Moved")
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    transfer.refresh_from_db()
    for actor in (world.lena, stella):
        for action in (Permission.TransferView, Permission.TransferDecide):
            assert decide(actor=actor, action=action, transfer=transfer).reason == "closed"


def test_the_receiving_team_may_decide_a_waiting_transfer_and_the_sending_team_only_see_it(world):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    transfer = transfer_request(child=make_child(world), to_la=world.south, by=world.lena, reason="Moved")
    assert decide(actor=stella, action=Permission.TransferDecide, transfer=transfer)
    assert decide(actor=world.lena, action=Permission.TransferView, transfer=transfer)
    assert (
        decide(actor=world.lena, action=Permission.TransferDecide, transfer=transfer).reason
        == "not_receiving_la"
    )


def test_a_closed_record_is_refused_to_every_practitioner_action(world):
    child = make_child(world)
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    child.refresh_from_db()
    for action in (Permission.ChildView, Permission.ChildIdentify, Permission.ShieldOverride):
        assert decide(actor=world.olivia, action=action, child=child).reason == "closed"
    assert decide(actor=world.lena, action=Permission.AddressStatusRecord, child=child).reason == "closed"
