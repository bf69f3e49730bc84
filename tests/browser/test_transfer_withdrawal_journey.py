"""North's team asked South's to take Amelia's record by mistake: it takes the request back from the
request's page (a reason and a confirmation), sees it withdrawn, and South's team finds it withdrawn,
nothing left to decide. Every page is checked at 1280, 375 and 390 px with axe (serious, critical and
landmark findings)."""

import pytest

from accounts.models import Role
from children.models import Child
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import transfer_request
from tests.browser.conftest import Pages
from tests.browser.landmarks import check_page
from tests.browser.signed_in import browser_signed_in
from tests.personas import World, make_user

pytestmark = pytest.mark.browser

WITHDRAWAL = "Sent to the wrong local authority"


def test_north_withdraws_a_request_sent_in_error_and_south_sees_it_withdrawn(
    pages: Pages, world: World, child: Child
) -> None:
    stella = make_user("stella", world.south, Role.LA_TEAM)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved")
    page = pages.page
    browser_signed_in(pages, world.lena)
    pages.goto(f"/moves/transfers/{transfer.pk}/")
    page.get_by_role("heading", level=1, name="Transfer of a record").wait_for()
    check_page(pages, "north-transfer-waiting")

    page.get_by_role("button", name="Withdraw this request").click()
    page.get_by_role("heading", level=1, name="Withdraw this transfer request").wait_for()
    check_page(pages, "withdraw")
    page.get_by_role("button", name="Withdraw the request").click()
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="Enter why you are withdrawing the request").wait_for()
    summary.get_by_role("link", name="Confirm that you want to withdraw the request").wait_for()
    assert page.title().startswith("Error: ")
    check_page(pages, "withdraw-needs-answers")
    page.get_by_label("Why are you withdrawing the request?").fill(WITHDRAWAL)
    page.get_by_label("I understand that the other local authority will no longer be able to accept").check()
    page.get_by_role("button", name="Withdraw the request").click()
    page.get_by_role("heading", level=1, name="Transfer of a record").wait_for()
    banner = page.locator(".govuk-notification-banner--success")
    assert "Southborough Council can no longer accept it" in banner.inner_text()
    outcome = page.locator("#transfer-outcome").inner_text()
    assert outcome.startswith("Withdrawn by the sending local authority") and WITHDRAWAL in outcome
    assert page.get_by_role("button", name="Withdraw this request").count() == 0
    check_page(pages, "north-withdrawn")
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.WITHDRAWN

    page.context.clear_cookies()
    browser_signed_in(pages, stella)
    pages.goto("/")
    page.get_by_role("link", name="Transfers", exact=True).click()
    page.get_by_role("heading", level=1, name="Transfers between local authorities").wait_for()
    assert page.locator("#to-decide").count() == 0
    assert "Withdrawn by the sending local authority" in page.locator("#transfers").inner_text()
    check_page(pages, "south-transfers")
    page.locator("#transfers").get_by_role("link", name="Amelia Thornton").click()
    page.get_by_role("heading", level=1, name="Transfer of a record").wait_for()
    assert page.get_by_role("button", name="Save the decision").count() == 0
    assert WITHDRAWAL in page.locator("#transfer-outcome").inner_text()
    check_page(pages, "south-sees-withdrawn")
