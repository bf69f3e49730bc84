"""An LA team prints a subject access report: the paper shows the report, not the service's controls."""

import pytest
from django.urls import reverse

from children.models import Child
from tests.browser.conftest import SCREENSHOTS, Pages
from tests.browser.signed_in import browser_signed_in
from tests.personas import World

pytestmark = pytest.mark.browser


def test_a_printed_subject_access_report_leaves_out_navigation_sign_out_the_banner_and_buttons(
    pages: Pages, world: World, child: Child
) -> None:
    browser_signed_in(pages, world.lena)
    page = pages.page
    pages.goto(reverse("audit:subject_access", args=[child.pk]))
    page.get_by_label("I have checked the identity").check()
    page.get_by_label("Request reference").fill("SAR-2026-0042")
    page.get_by_role("button", name="Produce the report").click()
    page.get_by_role("heading", level=1, name="Subject access report").wait_for()
    pages.check("report-on-screen")
    controls = {
        "navigation": page.locator(".govuk-service-navigation"),
        "sign out": page.get_by_role("button", name="Sign out"),
        "phase banner": page.locator(".govuk-phase-banner"),
        "download button": page.get_by_role("button", name="Download the disclosure copy (PDF)"),
    }
    assert all(control.is_visible() for control in controls.values())

    page.emulate_media(media="print")
    page.screenshot(path=str(SCREENSHOTS / f"{pages.prefix}02-report-printed.png"), full_page=True)
    assert [name for name, control in controls.items() if control.is_visible()] == []
    assert page.get_by_role("heading", name="Who has accessed this record").is_visible()
    assert "Amelia Thornton" in page.locator("main").inner_text()
