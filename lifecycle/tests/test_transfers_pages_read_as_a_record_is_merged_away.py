"""The transfers pages read while a record they show is merged away: not a server error.

A merge refuses a record with a transfer waiting, not one whose transfer was decided. A page that had
loaded such a request (the list, or the request's own page) and then opened the child's key met the key the
merge had shredded as it committed (`KeyRevoked`): a server error for both LA teams' list. As a moment
later, when the request is gone with its record (CASCADE), the list leaves it off and the request's page is
not found.
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from children.models import Child
from lifecycle import moves_views
from lifecycle.moves import transfer_decline, transfer_request
from linkage.merging import child_merge
from tests.journeys import signed_in
from tests.personas import make_child, make_user

REASON = "Family moved to Southborough in May"


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


@pytest.fixture
def pair_with_a_decided_transfer(world, stella):
    survivor = make_child(world, given_names="Amelia")
    duplicate = make_child(world, given_names="Amelie")
    transfer = transfer_request(child=duplicate, to_la=world.south, by=world.lena, reason=REASON)
    transfer_decline(transfer=transfer, by=stella, reason="Not known at the address given")
    return survivor, duplicate, transfer


def _merge(world, survivor, duplicate):
    child_merge(
        survivor=Child.objects.get(pk=survivor.pk),
        duplicate=Child.objects.get(pk=duplicate.pk),
        by=world.lena,
    )


def test_the_list_read_as_a_listed_record_is_merged_away_leaves_that_request_off(
    world, stella, pair_with_a_decided_transfer, monkeypatch
):
    survivor, duplicate, transfer = pair_with_a_decided_transfer
    real = moves_views.transfers_listed

    def listed_then_merged(**kwargs):
        listed = real(**kwargs)
        _merge(world, survivor, duplicate)  # a colleague's merge, committed as the page reads the list
        return listed

    monkeypatch.setattr(moves_views, "transfers_listed", listed_then_merged)
    response = signed_in(stella).get(reverse("moves:transfers"))

    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert "Amelie" not in page and REASON not in page and str(transfer.pk) not in page


def test_the_request_page_read_as_its_record_is_merged_away_is_not_found(
    world, stella, pair_with_a_decided_transfer, monkeypatch
):
    survivor, duplicate, transfer = pair_with_a_decided_transfer
    real = moves_views.get_object_or_404

    def loaded_then_merged(*args, **kwargs):
        loaded = real(*args, **kwargs)
        _merge(world, survivor, duplicate)
        return loaded

    monkeypatch.setattr(moves_views, "get_object_or_404", loaded_then_merged)
    response = signed_in(stella).get(reverse("moves:transfer", args=[transfer.pk]))

    assert response.status_code == 404, response.status_code
    assert "Amelie" not in response.content.decode()
