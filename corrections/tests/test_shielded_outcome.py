"""A location correction asked for by an outsider before the record was shielded: once shielded, its
outcome must not tell the outsider where the child lives (accepted) or does not live (rejected)."""

from django.urls import reverse

from accounts.models import Role
from children.models import Child
from children.selectors import child_details
from corrections.models import CorrectionStatus
from corrections.tests.deciding import accept_as_shown
from corrections.tests.support import fresh, raise_via_page
from tests.journeys import signed_in
from tests.personas import make_user

ADDRESS_FIX = {"line_1": "8 Fernbank Way", "town": "Leeds", "postcode": "ls2 9jt", "reason": "Saw them there"}
NAME_FIX = {"value": "Thorneton", "reason": "Birth certificate seen"}
CLOSED_NOTE = "The outcome is not shown: this record's location details are now restricted"


def _shield(child: Child) -> None:
    Child.objects.filter(pk=child.pk).update(shielded=True)  # domestic violence: the child is shielded


def _decision_cell(page: str) -> str:
    return page[page.index('id="my-corrections"') :]


def test_accepting_an_outsiders_address_correction_after_shielding_does_not_confirm_the_address_to_them(
    world, child
):
    bob = signed_in(world.bob)  # a GP in another LA
    correction = raise_via_page(bob, child, "address", ADDRESS_FIX)
    _shield(child)
    lena = signed_in(world.lena)
    page = lena.get(reverse("corrections:decide", args=[correction.pk])).content.decode()
    assert "The person who asked for this correction cannot see where this child lives" in page
    assert (
        lena.post(
            reverse("corrections:decide", args=[correction.pk]), accept_as_shown(correction)
        ).status_code
        == 302
    )
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.ACCEPTED
    assert child_details(fresh(child)).address.postcode == "LS2 9JT"  # the shielded child's address now
    mine = _decision_cell(bob.get(reverse("corrections:mine")).content.decode())
    assert "Accepted" not in mine and "Rejected" not in mine
    assert CLOSED_NOTE in mine


def test_rejecting_it_after_shielding_does_not_tell_them_either_nor_show_the_reason(world, child):
    bob = signed_in(world.bob)
    correction = raise_via_page(bob, child, "address", ADDRESS_FIX)
    _shield(child)
    lena = signed_in(world.lena)
    decided = lena.post(
        reverse("corrections:decide", args=[correction.pk]),
        {"decision": "reject", "reason": "Not there any more"},
    )
    assert decided.status_code == 302
    mine = _decision_cell(bob.get(reverse("corrections:mine")).content.decode())
    assert "Rejected" not in mine and "Not there any more" not in mine
    assert CLOSED_NOTE in mine


def test_outcomes_the_raiser_may_still_see_are_shown_as_before(world, child):
    """A name is not a location detail; and the LA team sees the shielded record in full."""
    bob = signed_in(world.bob)
    name = raise_via_page(bob, child, "family_name", NAME_FIX)
    lena = signed_in(world.lena)
    own = raise_via_page(lena, child, "address", ADDRESS_FIX)  # Lena raises, Lara decides (four eyes)
    _shield(child)
    assert lena.post(reverse("corrections:decide", args=[name.pk]), accept_as_shown(name)).status_code == 302
    lara = signed_in(make_user("lara", world.north, Role.LA_TEAM))
    assert lara.post(reverse("corrections:decide", args=[own.pk]), accept_as_shown(own)).status_code == 302
    assert "Accepted: the record was corrected" in _decision_cell(
        bob.get(reverse("corrections:mine")).content.decode()
    )
    lena_mine = _decision_cell(lena.get(reverse("corrections:mine")).content.decode())
    assert "Accepted: the record was corrected" in lena_mine and CLOSED_NOTE not in lena_mine


def test_a_pending_location_correction_on_a_shielded_record_still_shows_as_waiting(world, child):
    bob = signed_in(world.bob)
    raise_via_page(bob, child, "address", ADDRESS_FIX)
    _shield(child)
    mine = _decision_cell(bob.get(reverse("corrections:mine")).content.decode())
    assert "Waiting for a decision" in mine and CLOSED_NOTE not in mine
