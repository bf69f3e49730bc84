"""A practitioner asks for a correction, the LA team accepts it, the practitioner sees the outcome; the LA
team records a complaint and moves it on. Every page is checked (axe, one h1, nothing scrolls sideways)."""

import pytest

from children.models import Child
from children.selectors import child_details
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in
from tests.journeys import state_purpose
from tests.personas import World

pytestmark = pytest.mark.browser


def test_a_correction_is_asked_for_decided_and_seen_and_a_complaint_is_tracked(
    pages: Pages, world: World, child: Child
) -> None:
    page = pages.page
    client = browser_signed_in(pages, world.alice)
    state_purpose(client, child)
    pages.goto(f"/children/{child.pk}/")
    page.get_by_role("link", name="Ask for a detail to be corrected").click()
    pages.check("which-detail")
    page.get_by_role("link", name="Family name").click()
    page.get_by_label("Correct family name").fill("Thorneton")
    page.get_by_label("Why is the record wrong?").fill("Birth certificate seen at admission")
    pages.check("propose")
    page.get_by_role("button", name="Send the correction").click()
    page.locator(".govuk-notification-banner--success").wait_for()
    pages.check("your-corrections")
    assert "Waiting for a decision" in page.locator("#my-corrections").inner_text()

    page.context.clear_cookies()
    lena = browser_signed_in(pages, world.lena)
    pages.goto("/corrections/")
    pages.check("queue")
    page.get_by_role("link", name="Decide").click()
    assert page.locator("#proposed-value").inner_text() == "Thorneton"
    page.get_by_label("Yes, correct the record").check()
    pages.check("decide")
    page.get_by_role("button", name="Save decision").click()
    page.locator("#correction-queue-empty").wait_for()
    assert child_details(Child.objects.get(pk=child.pk)).family_name == "Thorneton"

    state_purpose(lena, child)
    pages.goto(f"/children/{child.pk}/")
    page.get_by_role("link", name="Record a complaint about this record or its use").click()
    page.get_by_label("A parent or carer").check()
    page.get_by_label("How the record was used or who looked at it").check()
    received = page.get_by_role("group", name="When was the complaint received?")
    received.get_by_label("Day").fill("2")
    received.get_by_label("Month").fill("11")
    received.get_by_label("Year").fill("2026")
    page.get_by_label("Summary of the complaint").fill("Asks who looked at the record")
    pages.check("complaint-new")
    page.get_by_role("button", name="Record the complaint").click()
    page.locator(".govuk-notification-banner--success").wait_for()
    page.get_by_label("Acknowledged", exact=True).check()
    acknowledged = page.get_by_role("group", name="When was it acknowledged?")
    acknowledged.get_by_label("Day").fill("3")
    acknowledged.get_by_label("Month").fill("11")
    acknowledged.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save progress").click()
    page.locator(".govuk-notification-banner--success").wait_for()
    assert page.locator("#complaint-status").inner_text() == "Acknowledged"
    assert page.locator("#complaint-acknowledged").inner_text() == "3 November 2026"
    pages.check("complaint")
    pages.goto("/corrections/complaints/")
    pages.check("complaints")

    page.context.clear_cookies()
    browser_signed_in(pages, world.alice)
    pages.goto("/corrections/mine/")
    assert "Accepted" in page.locator("#my-corrections").inner_text()
