"""A practitioner who records the same involvement twice is told why, in GOV.UK words."""

import pytest

from children.models import Child
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.journeys import state_purpose
from tests.personas import World

pytestmark = pytest.mark.browser


def _record(pages: Pages, child: Child, role: str) -> None:
    page = pages.page
    pages.goto(f"/children/{child.pk}/involvement/new/")
    page.get_by_label("Your role with this child").fill(role)
    start = page.get_by_role("group", name="When did you start working with this child?")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("9")
    start.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Record involvement").click()


def test_a_second_current_involvement_in_the_same_role_is_refused(
    pages: Pages, world: World, child: Child
) -> None:
    client = browser_signed_in(pages, world.alice)
    state_purpose(client, child)
    page = pages.page
    _record(pages, child, "Allocated social worker")
    page.locator(".govuk-notification-banner--success").wait_for()
    _record(pages, child, "allocated social worker")
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role(
        "link", name="You are already recorded as working with this child in this role"
    ).click()
    assert page.evaluate("document.activeElement.id") == "id_role"
    assert page.title() == "Error: Record your involvement - ContactPoint"
    assert "You are already recorded" in page.locator("#id_role-error").inner_text()
    check_on_a_phone(pages, "duplicate-refused")
