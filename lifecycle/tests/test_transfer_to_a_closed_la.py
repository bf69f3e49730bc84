"""A record is transferred only to a local authority that can take it: one still open.

The page offered every LA, closed ones too. A request to a closed LA waits for a decision nobody can
make (the policy refuses all its staff), and while it waits the owning team cannot ask another LA (one
waiting request a child) nor take it back: the child's record could never move again.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from lifecycle.models import Transfer
from lifecycle.moves import TransferRefused, transfer_request
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child


def _closed(organisation: Organisation) -> Organisation:
    Organisation.objects.filter(pk=organisation.pk).update(closed_on=timezone.localdate() - timedelta(days=1))
    return Organisation.objects.get(pk=organisation.pk)


def test_the_transfer_page_never_offers_a_closed_local_authority_nor_requests_one(world):
    child = make_child(world)
    south = _closed(world.south)
    lena = signed_in(world.lena)
    url = reverse("moves:transfer_new", args=[child.pk])
    page = rendered(lena.get(url), heading="Transfer this record to another local authority")
    assert "Southborough Council" not in page
    response = lena.post(url, {"to_la": str(south.pk), "reason": "Family moved to Southborough"})
    rendered(response, heading="Transfer this record to another local authority")
    assert not Transfer.objects.exists()


def test_the_service_refuses_a_transfer_to_a_closed_local_authority(world):
    child = make_child(world)
    with pytest.raises(TransferRefused):
        transfer_request(child=child, to_la=_closed(world.south), by=world.lena, reason="Family moved")
    assert not Transfer.objects.exists()


def test_a_local_authority_closing_on_a_later_day_is_still_offered(world):
    child = make_child(world)
    Organisation.objects.filter(pk=world.south.pk).update(closed_on=timezone.localdate() + timedelta(days=30))
    page = signed_in(world.lena).get(reverse("moves:transfer_new", args=[child.pk])).content.decode()
    assert "Southborough Council" in page
