"""What a search says when it shows no child, in a real browser: "No close match", "No children found", and
"Refine your search" among close calls.

Alice searches for Amelia Thornton (LS1 4AB) with a postcode in the same district, as a practitioner holding
her old address would: the page asks for more detail and names no child; a postcode elsewhere says "No
children found". Among three TAYLORs born a digit or a year away from the date typed, none clearly the
one, it asks to refine without claiming more than ten match. All without JavaScript, as core journeys must.
"""

from datetime import date

import pytest

from children.models import Child
from tests.browser.conftest import Pages
from tests.browser.test_practitioner_journey import search, sign_in
from tests.personas import World, make_child

pytestmark = pytest.mark.browser


def _search_by_postcode(pages: Pages, family_name: str, postcode: str) -> None:
    page = pages.page
    page.wait_for_load_state("load")
    page.get_by_label("Family name").fill(family_name)
    page.get_by_label("Postcode").fill(postcode)
    page.get_by_role("button", name="Search").click()


def test_a_near_miss_asks_for_more_detail_and_names_no_child(
    pages_without_javascript: Pages, world: World, child: Child
) -> None:
    pages = pages_without_javascript
    page = pages.page
    sign_in(pages, "alice")
    _search_by_postcode(pages, "Thornton", "LS1 9ZZ")
    results = page.locator("#results")
    results.get_by_role("heading", name="No close match").wait_for()
    assert "This does not mean no one else is working with this child" in results.inner_text()
    assert "Amelia" not in page.content()
    pages.check("search-no-close-match")
    _search_by_postcode(pages, "Thornton", "M1 1AA")
    results.get_by_role("heading", name="No children found").wait_for()
    pages.check("search-no-children-found")


def test_close_calls_ask_to_refine_without_claiming_more_than_ten_match(
    pages_without_javascript: Pages, world: World
) -> None:
    pages = pages_without_javascript
    page = pages.page
    for given, born in (("Amy", date(2015, 3, 5)), ("Beth", date(2015, 3, 6)), ("Cara", date(2016, 3, 4))):
        make_child(world, given_names=given, family_name="Taylor", date_of_birth=born)
    sign_in(pages, "alice")
    search(pages, "Taylor", "4", "3", "2015")
    results = page.locator("#results")
    results.get_by_role("heading", name="Refine your search").wait_for()
    assert "Several children could be the one you are looking for" in results.inner_text()
    assert "More than 10 children match" not in results.inner_text()
    pages.check("search-close-calls")
