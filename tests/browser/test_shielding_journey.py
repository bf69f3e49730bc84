"""The LA team shields a record from its page, then lifts the shielding, reading what each changes."""

import pytest

from children.models import Child
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.journeys import state_purpose
from tests.personas import World

pytestmark = pytest.mark.browser


def test_the_la_team_shields_a_record_and_lifts_the_shielding(
    pages: Pages, world: World, child: Child
) -> None:
    client = browser_signed_in(pages, world.lena)
    state_purpose(client, child)
    page = pages.page
    pages.goto(f"/children/{child.pk}/")
    page.get_by_role("link", name="Shield this record").click()
    assert "A search by postcode will not find it" in page.locator("#shielding-warning").inner_text()
    pages.check("shield-form")
    check_on_a_phone(pages, "shield-form")

    page.get_by_role("button", name="Shield this record").click()
    assert "Enter why the shielding is changing" in page.locator(".govuk-error-summary").inner_text()
    pages.check("shield-form-errors")

    page.get_by_label("Why?").fill("Risk from a former partner")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Shield this record").click()
    page.locator(".govuk-notification-banner--success").wait_for()
    assert "The record is now shielded" in page.locator(".govuk-notification-banner").inner_text()
    pages.check("record-shielded")

    page.get_by_role("link", name="Lift the shielding of this record").click()
    assert "will be told now, by email" in page.locator("#shielding-matches").inner_text()
    pages.check("lift-form")
    page.get_by_label("Why?").fill("Risk assessed as ended")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Lift the shielding").click()
    page.locator(".govuk-notification-banner--success").wait_for()
    assert "The shielding has been lifted" in page.locator(".govuk-notification-banner").inner_text()
    assert not Child.objects.get(pk=child.pk).shielded
