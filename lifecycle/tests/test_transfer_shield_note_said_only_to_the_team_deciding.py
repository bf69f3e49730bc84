"""A transfer page tells the receiving team, while it decides, that only its LA team will see a shielded
record in full "once it is yours". Said to the team the child left (the record will never be its again,
and the page now says another LA's team holds it), or to the team already holding it, the sentence
misleads. Synthetic people only."""

import pytest
from django.urls import reverse

from accounts.models import Role
from lifecycle.moves import transfer_accept, transfer_request
from tests.journeys import signed_in
from tests.personas import make_child, make_user

ONCE_YOURS = "Only your LA team will see this record in full once it is yours."


@pytest.fixture
def shielded_transfer(world):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    child = make_child(world, shielded=True)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved south")
    return transfer, stella


def test_the_receiving_team_deciding_is_told_only_its_team_will_see_the_record_in_full(
    world, shielded_transfer
):
    transfer, stella = shielded_transfer
    page = signed_in(stella).get(reverse("moves:transfer", args=[transfer.pk])).content.decode()
    assert ONCE_YOURS in page


def test_the_sending_team_is_not_told_the_record_will_be_its_own(world, shielded_transfer):
    transfer, _ = shielded_transfer
    lena = signed_in(world.lena)
    page = lena.get(reverse("moves:transfer", args=[transfer.pk])).content.decode()
    assert 'id="transfer-shielded"' in page and ONCE_YOURS not in page
    withdraw = lena.get(reverse("moves:transfer_withdraw", args=[transfer.pk])).content.decode()
    assert 'id="transfer-shielded"' in withdraw and ONCE_YOURS not in withdraw


def test_once_accepted_neither_team_is_told_once_it_is_yours(world, shielded_transfer):
    transfer, stella = shielded_transfer
    assert transfer_accept(transfer=transfer, by=stella)
    for user in (world.lena, stella):
        page = signed_in(user).get(reverse("moves:transfer", args=[transfer.pk])).content.decode()
        assert 'id="transfer-shielded"' in page and ONCE_YOURS not in page
