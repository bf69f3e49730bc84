"""The LA team administers accounts: sees who is still only invited, and confirms before closing."""

import pytest

from accounts.services import account_invite
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.personas import World

pytestmark = pytest.mark.browser


def test_the_la_team_confirms_before_closing_and_sees_invited_accounts(pages: Pages, world: World) -> None:
    account_invite(
        by=world.lena,
        username="ivy",
        first_name="Ivy",
        last_name="Newcomer",
        email="ivy@example.org",
        organisation=world.north_social_care,
        role="practitioner",
        background_check_on=None,
        training_completed_on=None,
        manager_email="",
    )
    browser_signed_in(pages, world.lena)
    page = pages.page
    pages.goto("/team/users/")
    row = page.locator("tbody tr", has_text="Ivy Newcomer")
    assert row.locator(".govuk-tag").inner_text() == "Invited"
    check_on_a_phone(pages, "accounts")

    page.get_by_role("link", name="Alice Example").first.click()
    page.get_by_role("button", name="Close account").click()
    page.get_by_role(
        "heading", level=1, name="Are you sure you want to close Alice Example's account?"
    ).wait_for()
    check_on_a_phone(pages, "confirm-close")
    page.get_by_role("link", name="No, go back").click()
    assert page.locator("#account-status").inner_text() == "Active"

    page.get_by_role("button", name="Close account").click()
    page.get_by_role("button", name="Yes, close this account").click()
    page.locator(".govuk-notification-banner--success").get_by_text("Account closed").wait_for()
    assert page.locator("#account-status").inner_text() == "Closed"
    check_on_a_phone(pages, "closed")
