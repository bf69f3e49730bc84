"""The LA teams on either side of a transfer may be told of the child from its id (`access.policy.child_known`):
a search cannot help them, and the transfer told them the child and both LAs already. The sending team of
an accepted transfer while the LA it sent the record to still holds it; the receiving team while the
request waits. Nobody else, and not once the record has moved on again or the request was declined."""

from django.urls import reverse

from access.policy import child_known
from accounts.models import Role
from children.models import Child
from lifecycle.moves import transfer_accept, transfer_decline, transfer_request
from tests.journeys import signed_in
from tests.other_la import east_la, main_of
from tests.personas import make_user

NOT_IDENTIFIED = "Find this child with a search first."


def test_the_team_that_just_transferred_a_child_out_is_told_it_now_belongs_to_another_la(world, child):
    south_team = make_user("sian", world.south, Role.LA_TEAM)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved")
    assert transfer_accept(transfer=transfer, by=south_team)
    response = signed_in(world.lena).get(reverse("moves:address", args=[child.pk]))
    assert response.status_code == 403
    page = main_of(response)
    assert NOT_IDENTIFIED not in page
    assert "another local authority" in page


def test_the_receiving_team_of_a_pending_transfer_is_told_whose_record_it_is(world, child):
    south_team = make_user("sian", world.south, Role.LA_TEAM)
    transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved")
    response = signed_in(south_team).get(reverse("moves:address", args=[child.pk]))
    assert response.status_code == 403
    assert NOT_IDENTIFIED not in main_of(response)


def test_a_declined_request_or_a_record_moved_on_again_tells_the_other_team_nothing(world, child):
    south_team = make_user("sian", world.south, Role.LA_TEAM)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved")
    assert child_known(actor=south_team, child=child)
    transfer_decline(transfer=transfer, by=south_team, reason="Not ours")
    assert not child_known(actor=south_team, child=Child.objects.get(pk=child.pk))
    Child.objects.filter(pk=child.pk).update(local_authority=world.south)
    assert child_known(actor=world.lena, child=Child.objects.get(pk=child.pk)) is False  # never sent there


def test_the_sending_team_knows_the_child_only_while_the_la_it_was_sent_to_holds_it(world, child):
    south_team = make_user("sian", world.south, Role.LA_TEAM)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved")
    assert transfer_accept(transfer=transfer, by=south_team)
    assert child_known(actor=world.lena, child=Child.objects.get(pk=child.pk))
    assert not child_known(actor=world.alice, child=Child.objects.get(pk=child.pk))  # not an LA team
    Child.objects.filter(pk=child.pk).update(local_authority=east_la(world))  # moved on again since
    assert not child_known(actor=world.lena, child=Child.objects.get(pk=child.pk))
