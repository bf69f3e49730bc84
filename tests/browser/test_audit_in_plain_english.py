"""An LA team finds a user by name and reads their activity in words, on a desktop and a phone."""

import pytest

from audit.services import event_record
from audit.tags import AuditTag
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.personas import World, make_user

pytestmark = pytest.mark.browser


def test_an_la_team_finds_a_user_by_name_and_reads_events_in_words(pages: Pages, world: World) -> None:
    make_user("amara", world.north_social_care, first_name="Amara", last_name="Example")
    event_record(tag=AuditTag.MfaVerified, actor=world.alice)
    browser_signed_in(pages, world.lena)
    page = pages.page
    pages.goto("/audit/")
    page.get_by_role("button", name="Show activity").click()
    page.locator(".govuk-error-summary").get_by_role("link", name="Enter a name or username").wait_for()
    assert page.title() == "Error: Audit reports - ContactPoint"
    check_on_a_phone(pages, "empty-search")

    page.get_by_label("Name or username").fill("example")
    page.get_by_role("button", name="Show activity").click()
    matches = page.locator("#user-matches")
    matches.get_by_role("link", name="Amara Example").wait_for()
    assert matches.get_by_role("link", name="Bob Example").count() == 0  # another LA
    check_on_a_phone(pages, "matches")

    matches.get_by_role("link", name="Alice Example").click()
    page.get_by_role("heading", level=1, name="Alice Example").wait_for()
    events = page.locator("#events")
    assert events.get_by_text("Signed in with a security code").count() == 1
    assert "account:mfa:verified" not in events.inner_text()
    check_on_a_phone(pages, "activity")
