"""GOV.UK error wording in the browser: the date input highlights only the wrong box, and the invitation
and audit filters use the GOV.UK date input rather than a browser date picker or free text."""

import pytest

from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.personas import World

pytestmark = pytest.mark.browser


def test_an_la_team_member_sees_which_part_of_a_date_is_wrong(pages: Pages, world: World) -> None:
    browser_signed_in(pages, world.lena)
    page = pages.page
    pages.goto("/team/users/invite/")
    assert page.locator("input[type=date]").count() == 0
    assert page.locator("#id_organisation option:checked").inner_text() == "Select an organisation"
    page.get_by_label("First name").fill("Ivy")
    check = page.get_by_role("group", name="When was their enhanced background check?")
    check.get_by_label("Day").fill("10")
    check.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Send invitation").click()
    summary = page.locator(".govuk-error-summary")
    summary.get_by_text("The enhanced background check date must include a month").wait_for()
    assert summary.get_by_text("Select the organisation they work for").count() == 1
    assert summary.get_by_text("This field is required").count() == 0
    assert page.title().startswith("Error: ")
    assert check.locator(".govuk-input--error").count() == 1
    assert check.get_by_label("Month").get_attribute("class").endswith("govuk-input--error")
    summary.get_by_role("link", name="The enhanced background check date must include a month").click()
    assert page.evaluate("document.activeElement.name") == "background_check_month"
    check_on_a_phone(pages, "invite-month-missing")

    pages.goto("/audit/unexplained/")
    assert page.locator("input[type=date]").count() == 0
    start = page.get_by_role("group", name="From")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("13")
    start.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Apply filter").click()
    page.locator(".govuk-error-summary").get_by_text("The start date must be a real date").wait_for()
    assert page.locator(".govuk-input--error").count() == 1
    assert start.get_by_label("Month").get_attribute("class").endswith("govuk-input--error")
    check_on_a_phone(pages, "report-month-not-real")
