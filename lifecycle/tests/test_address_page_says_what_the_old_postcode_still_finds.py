"""The address page tells the LA team what a new address does to search, truthfully.

It said "A search on the old postcode will no longer find this child". The old postcode is kept as a
former one (so a practitioner holding the old address still finds the child), and the results then show
the new town: a team recording where a child fled to, trusting the page, would not shield the record.
"""

from django.urls import reverse

from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child


def test_the_address_page_says_the_old_postcode_still_finds_an_unshielded_child_and_shows_the_new_town(world):
    child = make_child(world)
    lena = signed_in(world.lena)
    page = rendered(lena.get(reverse("moves:address", args=[child.pk])), heading="Where does the child live?")
    lena.post(
        reverse("moves:address", args=[child.pk]),
        {"status": "known", "line_1": "3 New Row", "town": "Harrogate", "postcode": "HG1 2AB"},
    )
    found = signed_in(world.alice).post(
        reverse("children:search"), {"family_name": "Thornton", "postcode": "LS1 4AB"}, follow=True
    )
    assert "Amelia Thornton" in found.content.decode() and "Harrogate" in found.content.decode()
    assert "will no longer find this child" not in page
    assert "A search on the old postcode still finds this child" in page
