"""The transfers pages after a record they list was removed: its key shredded by a merge that then failed.

A merge refuses a record with a transfer waiting, not one whose transfer was decided (accepted, declined,
withdrawn). A merge failing after its shred leaves that record active, its rows there under a key that no
longer opens, until the nightly run deletes it (or, shielded, until a person has checked the shield:
`lifecycle.removal`). Each transfers page opened every listed record's key to name the child and read the
reasons: both LA teams' whole transfers page was a server error, and with it every request waiting for
their decision or their withdrawal. The list now shows the row without the child or the reasons (they died
with the key); the request's own pages say the record has been removed, as the record's pages do.
"""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.tags import AuditTag
from lifecycle.moves import transfer_decline, transfer_request
from lifecycle.tests.support import events
from tests.journeys import signed_in
from tests.personas import make_child, make_user
from tests.shredding import shred_rolled_back

REASON = "Family moved to Southborough in May"
DECLINED = "Not known at the address given"
REMOVED = "This record has been removed"


@pytest.fixture
def stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


@pytest.fixture
def removed_with_a_decided_transfer(world, stella):
    child = make_child(world)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason=REASON)
    transfer_decline(transfer=transfer, by=stella, reason=DECLINED)
    shred_rolled_back(child)  # a merge of the record, failing after its shred
    return transfer


def test_both_teams_transfers_pages_list_the_rest_and_the_removed_records_row_without_its_details(
    world, stella, removed_with_a_decided_transfer
):
    waiting = make_child(world, given_names="Oliver", family_name="Marsh", date_of_birth=date(2016, 5, 6))
    transfer_request(child=waiting, to_la=world.south, by=world.lena, reason="Moved in June")

    for user in (world.lena, stella):
        response = signed_in(user).get(reverse("moves:transfers"))
        assert response.status_code == 200, (user.username, response.status_code)
        page = response.content.decode()
        assert "Oliver Marsh" in page, user.username  # the request waiting for a decision is still there
        assert "A record that has been removed" in page, user.username
        assert "Thornton" not in page and REASON not in page and DECLINED not in page, user.username


def test_the_request_page_of_a_removed_record_says_it_was_removed(
    world, stella, removed_with_a_decided_transfer
):
    transfer = removed_with_a_decided_transfer
    for user in (world.lena, stella):
        response = signed_in(user).get(reverse("moves:transfer", args=[transfer.pk]))
        assert response.status_code == 410, (user.username, response.status_code)
        page = response.content.decode()
        assert REMOVED in page and "Thornton" not in page and REASON not in page, user.username
    shown = events(AuditTag.RecordRemovedShown)
    assert [(e.actor_id, e.child_id, e.additional["page"], e.additional["transfer_id"]) for e in shown] == [
        (user.pk, transfer.child_id, "moves:transfer", str(transfer.pk)) for user in (world.lena, stella)
    ]
    assert events(AuditTag.TransferViewed) == []
