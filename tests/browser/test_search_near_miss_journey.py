"""A search that offers no child but saw one it could not rule out says "No close match" in a real browser.

Alice searches for Amelia Thornton (LS1 4AB) with a postcode in the same district, as a practitioner holding
her old address would: the page asks for more detail and names no child; a postcode elsewhere says "No
children found". Both without JavaScript, as core journeys must work.
"""

import pytest

from children.models import Child
from tests.browser.conftest import Pages
from tests.browser.test_practitioner_journey import sign_in
from tests.personas import World

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
