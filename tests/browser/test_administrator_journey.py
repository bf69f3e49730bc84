"""The system administrator's journey: add a school, set its working hours (after a mistake), close it
after confirming, and invite a national auditor. Every page at 1280, 375 and 390 px, with axe."""

import pytest

from accounts.models import Organisation, Role, User
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.invitations import CHECKED_YEAR
from tests.personas import World, make_user

pytestmark = pytest.mark.browser


def test_the_administrator_adds_changes_and_closes_an_organisation_and_invites_an_auditor(
    pages: Pages, world: World
) -> None:
    browser_signed_in(pages, make_user("simon", world.north, Role.SYSTEM_ADMIN))
    page = pages.page
    pages.goto("/")
    page.get_by_role("heading", level=1, name="System administration").wait_for()
    page.locator("main").get_by_role("link", name="Organisations").click()
    page.get_by_role("heading", level=1, name="Organisations").wait_for()
    page.get_by_label("Kind").select_option("gp")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("#organisations tbody tr").count() == 2  # North Road and South Street surgeries
    check_on_a_phone(pages, "directory-filtered")

    page.get_by_role("button", name="Add an organisation").click()
    page.get_by_role("heading", level=1, name="Add an organisation").wait_for()
    page.get_by_label("Kind of organisation").select_option("school")
    page.get_by_label("Name", exact=True).fill("Wrenbrook Academy")
    page.get_by_label("Code").fill("URN-777001")
    page.get_by_label("Local authority").select_option(label="Northshire Council")
    page.get_by_label("Phone number").fill("0113 496 0100")
    page.get_by_label("Email address").fill("office@wrenbrook.example.org")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2025")
    check_on_a_phone(pages, "add-organisation")
    page.get_by_role("button", name="Add organisation").click()
    page.get_by_role("heading", level=1, name="Wrenbrook Academy").wait_for()
    assert page.locator("#working-hours").inner_text() == "The national working hours"
    check_on_a_phone(pages, "organisation-added")

    page.get_by_role("button", name="Change details").click()
    page.get_by_label("Start time").fill("18:00")
    page.get_by_label("End time").fill("08:00")
    page.get_by_role("button", name="Save changes").click()
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="The end time must be after the start time").wait_for()
    assert page.title().startswith("Error: Change Wrenbrook Academy")
    check_on_a_phone(pages, "working-hours-error")
    page.get_by_label("Start time").fill("08:00")
    page.get_by_label("End time").fill("18:00")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("heading", level=1, name="Wrenbrook Academy").wait_for()
    assert page.locator("#working-hours").inner_text() == "08:00 to 18:00, every day"

    page.get_by_role("button", name="Close organisation").click()
    page.get_by_role("heading", level=1, name="Are you sure you want to close Wrenbrook Academy?").wait_for()
    assert "0 active accounts" in page.locator("#closing-impact").inner_text()
    check_on_a_phone(pages, "confirm-close")
    page.get_by_role("button", name="Yes, close this organisation").click()
    page.get_by_role("heading", level=1, name="Wrenbrook Academy").wait_for()
    assert page.locator("#organisation-status").inner_text().startswith("Closed since")
    assert Organisation.objects.get(code="URN-777001").closed_on is not None
    check_on_a_phone(pages, "organisation-closed")

    page.get_by_role("link", name="Administration").click()
    page.locator("main").get_by_role("link", name="National accounts").click()
    page.get_by_role("heading", level=1, name="National accounts").wait_for()
    check_on_a_phone(pages, "national-accounts")
    page.get_by_role("button", name="Invite a user").click()
    page.get_by_label("First name").fill("Nell")
    page.get_by_label("Last name").fill("Auditor")
    page.get_by_label("Work email address").fill("nell@example.org")
    page.get_by_label("Username").fill("nell")
    page.get_by_label("National auditor").check()
    page.get_by_label("Organisation").select_option(label="National Audit")
    background = page.locator("#background-check")
    background.get_by_label("Day").fill("10")
    background.get_by_label("Month").fill("1")
    background.get_by_label("Year").fill(CHECKED_YEAR)
    training = page.locator("#training")
    training.get_by_label("Day").fill("10")
    training.get_by_label("Month").fill("2")
    training.get_by_label("Year").fill("2026")
    check_on_a_phone(pages, "invite-auditor")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_role("heading", level=1, name="National accounts").wait_for()
    row = page.locator("#accounts tbody tr", has_text="Nell Auditor")
    assert row.locator(".govuk-tag").inner_text() == "Invited"
    assert User.objects.get(username="nell").role == Role.NATIONAL_AUDITOR
    check_on_a_phone(pages, "auditor-invited")
