"""An LA team acts on an alert: sees the count, the reason and whom to call, opens the record from it."""

import pytest

from children.models import Child
from children.override import shield_override
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.personas import World

pytestmark = pytest.mark.browser


def test_an_la_team_acts_on_an_emergency_access_alert(
    pages: Pages, world: World, shielded_child: Child
) -> None:
    shield_override(child=shielded_child, by=world.olivia, reason="Synthetic: child reported missing tonight")
    browser_signed_in(pages, world.lena)
    page = pages.page
    pages.goto("/team/users/")
    nav_alerts = page.locator("#nav-alerts")
    assert " ".join(nav_alerts.inner_text().split()) == "Alerts 1 waiting"
    nav_alerts.click()
    row = page.locator("#alerts tbody tr").first
    assert "Reason given: “Synthetic: child reported missing tonight”" in row.inner_text()
    assert "Southborough Police" in row.inner_text()
    assert (
        row.get_by_role("link", name="olivia@example.org").get_attribute("href")
        == "mailto:olivia@example.org"
    )
    check_on_a_phone(pages, "alerts")

    row.get_by_role("link", name="Open record").click()
    page.get_by_label("A safeguarding or child protection concern").check()
    page.get_by_role("button", name="Continue to the record").click()
    page.get_by_role("heading", level=1, name="Jasmine Okafor").wait_for()

    pages.goto("/audit/unexplained/")
    assert page.get_by_text("Jasmine").count() == 0
    assert "0 views" in page.locator("main").inner_text()
