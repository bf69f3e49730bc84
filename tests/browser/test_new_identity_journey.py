"""North's LA team gives Amelia a new identity (an adoption): it confirms it is them first (password and
security code), fills in the new identity, and the old record is closed: a search for Amelia finds
nothing, and a search for the new identity finds only the new record. Every page is checked at 1280,
375 and 390 px with axe (serious, critical and landmark findings)."""

import pytest
from django.conf import settings

from children.models import Child, RecordStatus
from tests.browser.conftest import Pages
from tests.browser.landmarks import check_page
from tests.browser.signed_in import browser_signed_in
from tests.browser.test_practitioner_journey import search
from tests.journeys import current_code, signed_in, totp_device
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.browser


def _signed_in_a_while_ago(pages: Pages, world: World) -> None:
    """Lena is signed in, but not in the last few minutes: closing a record asks her to confirm it is her."""
    client = signed_in(world.lena, reauthenticated=False)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    pages.page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": pages.base_url}]
    )


def test_a_team_confirms_it_is_them_gives_a_child_a_new_identity_and_the_old_record_is_not_found(
    pages: Pages, world: World, child: Child
) -> None:
    page = pages.page
    _signed_in_a_while_ago(pages, world)
    pages.goto(f"/children/{child.pk}/")
    page.get_by_label("Checking or updating details held").check()
    page.get_by_role("button", name="Continue to the record").click()
    page.get_by_role("heading", level=1, name="Amelia Thornton").wait_for()
    page.locator("#moves").get_by_role("link", name="Create a new identity for this child").click()

    page.get_by_role("heading", level=1, name="Confirm it is you").wait_for()
    check_page(pages, "confirm-it-is-you")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Security code").fill(current_code(totp_device(world.lena)))
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("heading", level=1, name="Create a new identity for this child").wait_for()
    assert "This record will be closed for good" in page.locator("#identity-warning").inner_text()
    check_page(pages, "new-identity")
    page.get_by_role("button", name="Close this record and create the new one").click()
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="Confirm that the current record will be closed").wait_for()
    assert page.title().startswith("Error: ")
    assert Child.objects.get(pk=child.pk).status == RecordStatus.ACTIVE
    confirm = page.get_by_label("I understand that the current record will be closed")
    assert confirm.get_attribute("aria-describedby") == "id_confirm-error"  # the error is read out with it
    check_page(pages, "new-identity-needs-answers")

    page.get_by_label("Adoption").check()
    page.get_by_label("Given names").fill("Poppy")
    page.get_by_label("Family name").fill("Marchbank")
    page.get_by_label("Female").check()
    dob = page.get_by_role("group", name="Date of birth")
    dob.get_by_label("Day").fill("4")
    dob.get_by_label("Month").fill("3")
    dob.get_by_label("Year").fill("2015")
    page.get_by_label("Address line 1").fill("8 Elmhurst Gardens")
    page.get_by_label("Town or city").fill("York")
    page.get_by_label("Postcode").fill("YO1 7HH")
    page.get_by_label("I understand that the current record will be closed").check()
    page.get_by_role("button", name="Close this record and create the new one").click()

    page.get_by_role("heading", level=1, name="Find a child").wait_for()
    banner = page.locator(".govuk-notification-banner--success")
    assert "The record has been closed and a new record created" in banner.inner_text()
    assert "Poppy" not in banner.inner_text() and child.index_number not in page.content()
    check_page(pages, "identity-changed")
    assert Child.objects.get(pk=child.pk).status == RecordStatus.CLOSED

    search(pages, "Thornton", "4", "3", "2015")
    page.locator("#results").get_by_role("heading", name="No children found").wait_for()
    check_page(pages, "old-identity-not-found")
    search(pages, "Marchbank", "4", "3", "2015")
    results = page.locator("#results")
    results.get_by_role("heading", name="1 child found").wait_for()
    assert results.get_by_role("link", name="Poppy Marchbank").count() == 1
    assert child.index_number not in results.inner_text().replace(" ", "")
    check_page(pages, "new-identity-found")


def test_the_new_identity_page_of_a_shielded_record_says_the_new_record_will_be_shielded(
    pages: Pages, world: World, shielded_child: Child
) -> None:
    page = pages.page
    browser_signed_in(pages, world.lena)
    pages.goto(f"/moves/{shielded_child.pk}/new-identity/")
    page.get_by_role("heading", level=1).wait_for()
    notice = page.locator("#new-identity-shielded").inner_text()
    assert "the new record will be shielded too" in notice
    assert page.get_by_label("Shield the new record").count() == 0
    check_page(pages, "new-identity-of-a-shielded-record")
