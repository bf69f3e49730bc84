"""LA teams move a record between them: North's team asks South's to take Amelia's record, giving a
reason; South's team finds the request under Transfers, accepts it, and the record now names South; then
South records that the child has no known address and sees that on the record. Every page is checked
at 1280, 375 and 390 px with axe (serious, critical and landmark findings)."""

import pytest

from accounts.models import Role
from children.index_number import formatted
from children.models import Child
from children.records import AddressStatus
from children.selectors import child_details
from lifecycle.models import Transfer, TransferStatus
from tests.browser.conftest import Pages
from tests.browser.landmarks import check_page
from tests.browser.signed_in import browser_signed_in
from tests.personas import World, make_user

pytestmark = pytest.mark.browser

REASON = "Family moved to Southborough in May"


def _open_record(pages: Pages, child: Child, name: str) -> None:
    """Open the record the way a team member does: the purpose page first, then the record."""
    page = pages.page
    pages.goto(f"/children/{child.pk}/")
    page.get_by_role("group", name="Why are you looking at this record?").wait_for()
    check_page(pages, f"{name}-purpose")
    page.get_by_label("Checking or updating details held").check()
    page.get_by_role("button", name="Continue to the record").click()
    page.get_by_role("heading", level=1, name="Amelia Thornton").wait_for()


def test_north_asks_south_to_take_a_record_south_accepts_and_records_no_known_address(
    pages: Pages, world: World, child: Child
) -> None:
    stella = make_user("stella", world.south, Role.LA_TEAM)
    page = pages.page
    browser_signed_in(pages, world.lena)
    _open_record(pages, child, "north")
    assert page.locator("#record-la").inner_text() == "Northshire Council"
    check_page(pages, "north-record")

    page.locator("#moves").get_by_role("link", name="Transfer this record to another local authority").click()
    page.get_by_role("heading", level=1, name="Transfer this record to another local authority").wait_for()
    page.get_by_role("button", name="Request the transfer").click()
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role(
        "link", name="Select the local authority that should take over this record"
    ).wait_for()
    assert page.title().startswith("Error: ")
    chooser = page.get_by_label("Which local authority should take over this record?")
    assert chooser.get_attribute("aria-describedby") == "id_to_la-error"  # the error is read out with it
    check_page(pages, "transfer-needs-answers")
    page.get_by_label("Which local authority should take over this record?").select_option(
        label="Southborough Council"
    )
    page.get_by_label("Why is the record moving?").fill(REASON)
    check_page(pages, "transfer-new")
    page.get_by_role("button", name="Request the transfer").click()
    page.get_by_role("heading", level=1, name="Transfer of a record").wait_for()
    banner = page.locator(".govuk-notification-banner--success")
    assert "Southborough Council has been asked to take over the record" in banner.inner_text()
    assert page.locator("#transfer-outcome").inner_text().startswith("Waiting")
    assert page.get_by_role("button", name="Save the decision").count() == 0  # North never decides
    check_page(pages, "transfer-requested")
    transfer = Transfer.objects.get()
    assert (transfer.from_la, transfer.to_la, transfer.status) == (world.north, world.south, "pending")

    page.context.clear_cookies()
    browser_signed_in(pages, stella)
    pages.goto("/")
    page.get_by_role("link", name="Transfers", exact=True).click()
    page.get_by_role("heading", level=1, name="Transfers between local authorities").wait_for()
    waiting = page.locator("#to-decide")
    assert "Amelia Thornton" in waiting.inner_text() and "from Northshire Council" in waiting.inner_text()
    check_page(pages, "south-transfers")
    waiting.get_by_role("link", name="Amelia Thornton").click()
    page.get_by_role("heading", level=1, name="Transfer of a record").wait_for()
    assert REASON in page.locator("main").inner_text()
    assert "Quarry Lane" not in page.locator("main").inner_text()  # never the address before accepting
    check_page(pages, "south-decides")
    page.get_by_label("Yes, accept the transfer").check()
    page.get_by_role("button", name="Save the decision").click()
    page.get_by_role("heading", level=1, name="Transfers between local authorities").wait_for()
    assert "The record now belongs to your local authority" in banner.inner_text()
    assert "Accepted" in page.locator("#transfers").inner_text()
    check_page(pages, "south-accepted")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED
    assert Child.objects.get(pk=child.pk).local_authority == world.south

    _open_record(pages, child, "south")
    assert page.locator("#record-la").inner_text() == "Southborough Council"
    check_page(pages, "south-record")
    page.get_by_role("link", name="Change address, or record no known address").click()
    page.get_by_role("heading", level=1, name="Where does the child live?").wait_for()
    caption = page.locator(".govuk-caption-l").inner_text()
    assert caption == f"Index number {formatted(child.index_number)}"  # as on every other page
    check_page(pages, "address")
    page.get_by_label("No known address").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", level=1, name="Amelia Thornton").wait_for()
    assert "Address status recorded" in banner.inner_text()
    assert page.locator("#address").inner_text() == "No known address"
    assert "LS1 4AB" not in page.locator("main").inner_text()
    check_page(pages, "no-known-address")
    assert child_details(Child.objects.get(pk=child.pk)).address.status == AddressStatus.NO_KNOWN_ADDRESS
