"""An LA team member reads management information: charts drawn on the page, the tables beside them."""

import pytest

from audit.tags import AuditTag
from insight.tests.support import events, month_ago
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.personas import World, make_child

pytestmark = pytest.mark.browser


def test_an_la_team_member_reads_management_information_with_charts_and_tables(
    pages: Pages, world: World
) -> None:
    child = make_child(world)
    for months_back, n in ((5, 22), (4, 35), (3, 4), (2, 48), (1, 17)):
        events(n, tag=AuditTag.RecordViewed, actor=world.alice, child=child, month=month_ago(months_back))
        events(n + 6, tag=AuditTag.SearchPerformed, actor=world.alice, month=month_ago(months_back))
    browser_signed_in(pages, world.lena)
    page = pages.page
    pages.goto("/team/users/")
    page.get_by_role("link", name="Management information").click()
    page.get_by_role("heading", level=1, name="Management information for your local authority").wait_for()
    chart = page.get_by_role("img", name="Chart: Access by month")
    assert chart.count() == 1
    assert chart.locator("rect").count() >= 6  # the published complete months with 10 or more
    access = page.locator("table#mi-4")
    assert "Fewer than 10" in access.inner_text() and "Thornton" not in page.content()
    check_on_a_phone(pages, "management-information")
    page.get_by_label("Period").select_option("6")
    page.get_by_role("button", name="Show figures").click()
    page.get_by_role("heading", level=1, name="Management information for your local authority").wait_for()
    assert page.locator("table#mi-4 thead th").count() == 8  # measure, six complete months, total
    assert "The last 6 complete months:" in page.locator("#period-shown").inner_text()
    pages.check("management-information-six-months")
