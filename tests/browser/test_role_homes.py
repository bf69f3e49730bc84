"""The data manager and the system administrator each land on a page with something to do."""

from datetime import date

import pytest

from accounts.models import Role
from children.records import Address, AddressStatus, ChildDetails
from children.services import child_create
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.personas import World, make_user

pytestmark = pytest.mark.browser


def test_the_data_manager_lands_on_records_needing_correction(pages: Pages, world: World) -> None:
    details = ChildDetails(
        given_names="Nova",
        family_name="Quality",
        gender="F",
        date_of_birth=date(2015, 1, 1),
        address=Address(status=AddressStatus.NO_KNOWN_ADDRESS),
    )
    child_create(local_authority=world.north, details=details)
    browser_signed_in(pages, world.dara)
    page = pages.page
    pages.goto("/")
    page.get_by_role("heading", level=1, name="Records needing correction").wait_for()
    assert page.locator("#count-no-address").inner_text() == "1"
    assert "Nova" not in page.locator("main").inner_text()
    assert page.locator("#navigation").get_by_role("link", name="Data quality").count() == 1
    check_on_a_phone(pages, "data-quality")


def test_the_system_administrator_lands_on_their_home_and_reaches_service_health(
    pages: Pages, world: World
) -> None:
    browser_signed_in(pages, make_user("simon", world.north, Role.SYSTEM_ADMIN))
    page = pages.page
    pages.goto("/")
    page.get_by_role("heading", level=1, name="System administration").wait_for()
    check_on_a_phone(pages, "administration-home")
    page.locator("main").get_by_role("link", name="Service health").click()
    page.get_by_role("heading", level=1, name="Service health").wait_for()
    assert "Complete" in page.locator("#rotation-state").inner_text()
    check_on_a_phone(pages, "service-health")
