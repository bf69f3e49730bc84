"""The restricted record of a shielded child offers its practitioner a way to end their own involvement.

A practitioner may end their own involvement once the child is shielded (`access.policy._decide_cease`),
but the restricted record showed no link to the end page, so nobody could reach it. The page now links
each of the viewer's own current involvements of this child to its end page (nothing more about them:
the page shows no details of any involvement), and shows other practitioners none.
"""

from datetime import date

from django.urls import reverse

from children.records import InvolvementDetails
from children.services import involvement_record
from lifecycle.shielding import shield_set
from tests.journeys import signed_in, state_purpose
from tests.pages import rendered
from tests.personas import make_child

LINK = "Mark your involvement as ended"


def _shielded_with_alices_involvement(world):
    child = make_child(world)
    involvement = involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            "Synthetic Practitioner", "Family support worker", world.alice.organisation_id, date(2024, 1, 1)
        ),
    )
    shield_set(child=child, by=world.lena, shielded=True, reason="Synthetic: risk assessed")
    return child, involvement


def _restricted_page(user, child):
    client = signed_in(user)
    state_purpose(client, child)
    return rendered(client.get(reverse("children:record", args=[child.pk])), heading="Amelia Thornton")


def test_the_practitioner_who_recorded_it_is_offered_the_end_page(world):
    child, involvement = _shielded_with_alices_involvement(world)
    page = _restricted_page(world.alice, child)
    assert LINK in page
    assert reverse("children:involvement_end", args=[child.pk, involvement.pk]) in page
    assert "Family support worker" not in page and "Synthetic Practitioner" not in page


def test_another_practitioner_is_offered_nothing(world):
    child, involvement = _shielded_with_alices_involvement(world)
    page = _restricted_page(world.bob, child)
    assert LINK not in page
    assert str(involvement.pk) not in page
