"""The own-address rule in a real browser: the LA team records a practitioner's home postcode (a wrong one
first, told clearly), the account page then says only that one is recorded, and a search the practitioner
types with that postcode is flagged for review with the reason."""

import pytest

from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.personas import World, make_child

pytestmark = pytest.mark.browser


def test_the_la_team_records_a_home_postcode_and_a_search_typed_with_it_is_flagged(
    pages: Pages, world: World
) -> None:
    make_child(world, postcode="LS2 7QQ")
    browser_signed_in(pages, world.lena)
    page = pages.page
    pages.goto(f"/team/users/{world.alice.pk}/")
    assert "Not recorded" in page.locator("#home-postcode").inner_text()
    page.get_by_label("Home postcode").fill("LS2 7")
    page.get_by_role("button", name="Record home postcode").click()
    page.locator(".govuk-error-summary").get_by_role(
        "link", name="Enter a full postcode, like LS1 4AB"
    ).wait_for()
    check_on_a_phone(pages, "home-postcode-error")

    page.get_by_label("Home postcode").fill("ls2 7qq")
    page.get_by_role("button", name="Record home postcode").click()
    page.locator(".govuk-notification-banner--success").get_by_text("Home postcode recorded.").wait_for()
    recorded = page.locator("#home-postcode").inner_text()
    assert recorded.startswith("Recorded on") and "LS2" not in recorded.upper()
    assert "LS2 7QQ" not in page.content().upper()
    check_on_a_phone(pages, "home-postcode-recorded")

    page.context.clear_cookies()
    browser_signed_in(pages, world.alice)
    pages.goto("/children/search/")
    page.get_by_label("Family name").fill("Thornton")
    page.get_by_label("Postcode").fill("LS2 7QQ")
    page.get_by_role("button", name="Search").click()
    warning = page.locator("#flagged-for-review")
    warning.wait_for()
    assert "because it involves your own home postcode" in warning.inner_text()
    check_on_a_phone(pages, "search-flagged-own-address")
