"""No dead ends: a shielded record, a refusal and a missing page each say who to contact or where to go.

Stella is the LA team of Southborough; the shielded child belongs to Northshire. She is told to contact
Northshire's ContactPoint team, by name, phone and email, never "your local authority". She found the child
by a search, her way in: someone who only holds a child's id is told nothing of it, not even its LA
(children/tests/test_a_childs_id_tells_nothing_to_whoever_may_not_identify_it.py).
"""

from datetime import date

import pytest

from accounts.models import Role
from children.models import Child
from children.search import SearchCriteria, child_search
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.journeys import state_purpose
from tests.personas import World, make_user

pytestmark = pytest.mark.browser


def test_another_las_team_is_told_which_la_to_contact(
    pages: Pages, world: World, shielded_child: Child
) -> None:
    stella = make_user("stella", world.south, Role.LA_TEAM)
    child_search(
        criteria=SearchCriteria("Okafor", date_of_birth=date(2015, 3, 4)),  # the fixture's child
        fetched_by=stella,
    )
    client = browser_signed_in(pages, stella)
    state_purpose(client, shielded_child)
    page = pages.page

    pages.goto(f"/children/{shielded_child.pk}/")
    notice = page.locator("#shielded-notice")
    assert "Northshire Council" in notice.inner_text()
    assert "your local authority" not in notice.inner_text()
    assert notice.get_by_role("link", name="0300 000 0000").get_attribute("href") == "tel:03000000000"
    assert (
        notice.get_by_role("link", name="la-n@example.org").get_attribute("href") == "mailto:la-n@example.org"
    )
    check_on_a_phone(pages, "shielded-record")

    pages.goto(f"/children/{shielded_child.pk}/lead-professional/")
    page.get_by_role("heading", level=1, name="You cannot do this").wait_for()
    main = page.locator("main").inner_text()
    assert "This record belongs to Northshire Council, not your local authority" in main
    assert page.locator("#la-team-contact").get_by_text("Northshire Council").count() == 1
    assert page.get_by_role("link", name="Go to your ContactPoint home page").count() == 1
    pages.problems.clear()  # the 403 itself is the page under test
    check_on_a_phone(pages, "refused")

    pages.goto("/children/not-a-page/")
    page.get_by_role("heading", level=1, name="Page not found").wait_for()
    assert page.title() == "Page not found - ContactPoint"
    pages.problems.clear()  # the 404 itself is the page under test
    check_on_a_phone(pages, "not-found")
    page.get_by_role("link", name="Go to your ContactPoint home page").click()
    page.get_by_role("heading", level=1, name="Find a child").wait_for()
