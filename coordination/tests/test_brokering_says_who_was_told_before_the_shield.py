"""The brokering page lists every current match about the LA's shielded children, and said of all of them
"Neither has been told about the other". A match made before the child was shielded was told to both
practitioners then (each has the other's name and contact details; the inbox only stops showing it): the
team, deciding whether and how to broker contact without revealing where the child is, was told the
opposite of what happened. Each side now says whether its practitioner was told about the other."""

from django.urls import reverse

from children.models import Child
from coordination.tests.support import record, school_teacher
from lifecycle.shielding import shield_set
from tests.journeys import signed_in

NEITHER = "Neither has been told about the other"
TOLD = "Told about the other practitioner before the record was shielded"
NOT_TOLD = "Not told about the other practitioner"


def _brokering_page(world) -> str:
    response = signed_in(world.lena).get(reverse("coordination:brokering"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_match_told_before_the_shield_is_not_said_to_be_untold(world, child):
    carol = school_teacher(world)
    record(child, world.alice, role="Allocated social worker")
    record(child, carol, role="Class teacher")  # both told now: the record is not shielded yet
    shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")

    page = _brokering_page(world)

    assert "Carol Example" in page and "Alice Example" in page
    assert NEITHER not in page
    assert page.count(TOLD) == 2 and NOT_TOLD not in page


def test_a_match_made_while_shielded_says_neither_was_told(world, shielded_child):
    carol = school_teacher(world)
    record(shielded_child, world.alice, role="Allocated social worker")
    record(shielded_child, carol, role="Class teacher")

    page = _brokering_page(world)

    assert page.count(NOT_TOLD) == 2 and TOLD not in page
