"""A shielded child who moved away: the LA it left keeps its old requests, never the child's name now.

A transfer page names the child by what the record holds today. After the move the old LA's team is no
longer the record's team, and a shielded child is found by nobody by a former family name (the family
that changed its name to escape someone is the shielding case): the old request must not hand that
team the new name, the date of birth or the index number, however long after. The team that holds the
record, and both teams while the request waits, still see who it is.
"""

from dataclasses import replace

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.tags import AuditTag
from children.index_number import formatted
from children.selectors import child_details
from children.services import child_details_update
from lifecycle.moves import transfer_accept, transfer_request
from tests.journeys import signed_in
from tests.personas import make_child, make_user


@pytest.fixture
def moved_and_renamed(world):
    """Amelia Thornton, shielded, moves from North to South; South records the family's new name."""
    stella = make_user("stella", world.south, Role.LA_TEAM)
    child = make_child(world, shielded=True)
    transfer = transfer_request(
        child=child, to_la=world.south, by=world.lena, reason="Family fled to the south"
    )
    assert transfer_accept(transfer=transfer, by=stella)
    child.refresh_from_db()
    renamed = replace(child_details(child), family_name="Marchbank")
    child_details_update(
        child=child, details=renamed, columns=["family_name"], by=stella, tag=AuditTag.ChildUpdated
    )
    return child, transfer, stella


def _names_the_child(page: str, child) -> list[str]:
    return [
        m
        for m in ("Marchbank", "Amelia", "4 March 2015", child.index_number, formatted(child.index_number))
        if m in page
    ]


def test_the_la_a_shielded_child_left_never_learns_its_new_name_from_the_old_request(
    world, moved_and_renamed
):
    child, transfer, _ = moved_and_renamed
    lena = signed_in(world.lena)
    page = lena.get(reverse("moves:transfer", args=[transfer.pk])).content.decode()
    assert _names_the_child(page, child) == []
    assert "held by another local authority" in page
    assert '<dd class="govuk-summary-list__value" id="transfer-outcome">Accepted' in page
    listing = lena.get(reverse("moves:transfers")).content.decode()
    assert _names_the_child(listing, child) == []
    assert "held by another local authority" in listing


def test_the_team_holding_the_shielded_child_still_sees_who_it_is(world, moved_and_renamed):
    child, transfer, stella = moved_and_renamed
    south = signed_in(stella)
    page = south.get(reverse("moves:transfer", args=[transfer.pk])).content.decode()
    assert "Amelia Marchbank" in page and formatted(child.index_number) in page
    assert "Amelia Marchbank" in south.get(reverse("moves:transfers")).content.decode()
