"""Match alerts in a real browser: Alice records her involvement with Amelia, then Carol (a teacher at
another organisation) records hers; both find the match, with the other's contact details, in their inbox.
"""

from typing import Any

import pytest

from children.models import Child
from coordination.tests.support import school_teacher
from tests.browser.conftest import Pages, _open
from tests.browser.test_practitioner_journey import search, sign_in, state_purpose
from tests.personas import World

pytestmark = pytest.mark.browser


def settled(pages: Pages) -> None:
    """Let each page finish loading (fonts included) before moving on, so no request is cut short."""
    pages.page.wait_for_load_state("load")
    pages.page.evaluate("document.fonts.ready.then(() => true)")


def record_involvement(pages: Pages, role: str, phone: str, email: str) -> None:
    page = pages.page
    settled(pages)
    search(pages, "Thornton", "4", "3", "2015")
    settled(pages)
    state_purpose(pages, "Amelia Thornton")
    settled(pages)
    page.get_by_label("Providing or arranging a service for this child").check()
    page.get_by_role("button", name="Continue to the record").click()
    page.get_by_role("heading", name="Who is working with this child").wait_for()
    settled(pages)
    page.get_by_role("link", name="Record your involvement").click()
    page.locator("#duty-to-inform").wait_for()
    pages.check("involvement-new-with-duty-to-inform")
    page.get_by_label("Your role with this child").fill(role)
    page.get_by_label("Contact phone number").fill(phone)
    page.get_by_label("Contact email address").fill(email)
    start = page.get_by_role("group", name="When did you start working with this child?")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("9")
    start.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Record involvement").click()
    page.locator(".govuk-notification-banner--success").get_by_text(
        "Your involvement has been recorded"
    ).wait_for()
    settled(pages)


def open_inbox(pages: Pages) -> str:
    page = pages.page
    page.get_by_role("link", name="Your matches").click()
    page.get_by_role("heading", level=1, name="Your matches").wait_for()
    return page.locator("main").inner_text()


@pytest.fixture
def second_pages(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Pages:
    """A second browser (its own cookies) for the second practitioner, screenshots named apart."""
    other = _open(browser, live_server, request, javascript=True)
    other.prefix += "second-"
    return other


def test_two_practitioners_recording_involvement_both_see_the_match(
    pages: Pages, second_pages: Pages, world: World, child: Child
) -> None:
    school_teacher(world)
    alice, carol = pages, second_pages
    sign_in(alice, "alice", check=False)
    record_involvement(alice, "Allocated social worker", "0113 496 0000", "alice.social@example.org")
    assert "You have no current matches" in open_inbox(alice)
    alice.check("alice-inbox-before")

    sign_in(carol, "carol", check=False)
    record_involvement(carol, "Class teacher", "0113 496 0101", "carol.teacher@example.org")
    text = open_inbox(carol)
    for shown in (
        "Client match",
        "Amelia Thornton",
        "Alice Example",
        "Allocated social worker",
        "0113 496 0000",
    ):
        assert shown in text, shown
    carol.check("carol-inbox")

    alice.page.reload()
    settled(alice)
    text = alice.page.locator("main").inner_text()
    for shown in (
        "Client match",
        "Carol Example",
        "Class teacher",
        "Northshire Primary School",
        "0113 496 0101",
    ):
        assert shown in text, shown
    alice.check("alice-inbox-after")
    alice.page.get_by_role("button", name="Offer to be lead professional").click()
    alice.page.get_by_text("You have offered to be lead professional").first.wait_for()
    alice.check("alice-offered-to-lead")

    carol.page.reload()
    carol.page.get_by_role("button", name="Accept as lead professional").click()
    carol.page.get_by_text("Alice Example is the lead professional for this child").wait_for()
    carol.check("carol-accepted-alice-as-lead")
