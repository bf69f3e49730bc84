"""A message that is news but not a success ("already ended", "already decided") reads as "Important".

Two tabs end the same involvement: the second is told it had already ended, in the Design System's
neutral notification banner, and the record keeps the first end date. A correction a colleague decided
while the page was open is reported on the queue, not offered for a decision again.
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from children.models import Child
from children.selectors import child_details
from corrections.fields import field_for
from corrections.models import Correction
from corrections.services import correction_raise, correction_reject
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.journeys import state_purpose
from tests.personas import World, make_user

pytestmark = pytest.mark.browser


def _end(pages: Pages, url: str, day: str) -> None:
    page = pages.page
    pages.goto(url)
    when = page.get_by_role("group", name="When did the involvement end?")
    when.get_by_label("Day").fill(day)
    when.get_by_label("Month").fill("3")
    when.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Mark as ended").click()


def test_ending_an_involvement_twice_shows_an_important_banner_not_a_success(
    pages: Pages, world: World, child: Child
) -> None:
    client = browser_signed_in(pages, world.alice)
    state_purpose(client, child)
    page = pages.page
    pages.goto(f"/children/{child.pk}/involvement/new/")
    page.get_by_label("Your role with this child").fill("Allocated social worker")
    start = page.get_by_role("group", name="When did you start working with this child?")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("9")
    start.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Record involvement").click()
    page.locator(".govuk-notification-banner--success").wait_for()
    involvement = child.involvements.get()
    url = reverse("children:involvement_end", args=[child.pk, involvement.pk])

    _end(pages, url, "1")
    success = page.locator(".govuk-notification-banner--success")
    assert success.locator(".govuk-notification-banner__title").inner_text() == "Success"

    _end(pages, url, "9")
    banner = page.locator(".govuk-notification-banner")
    banner.wait_for()  # the answer to the second click has loaded (count() alone does not wait for it)
    assert banner.count() == 1
    assert page.locator(".govuk-notification-banner--success").count() == 0
    assert banner.locator(".govuk-notification-banner__title").inner_text() == "Important"
    assert "This involvement has already ended" in banner.inner_text()
    assert banner.get_attribute("role") == "region"
    assert "Ended 1 Mar 2025" in page.locator("main").inner_text()  # the first end date stands
    check_on_a_phone(pages, "already-ended")


def test_a_correction_a_colleague_decided_while_the_page_was_open_is_reported_on_the_queue(
    pages: Pages, world: World, child: Child
) -> None:
    family_name = field_for("family_name")
    assert family_name is not None
    correction = correction_raise(
        child=child, field=family_name, value="Thorneton", reason="Certificate", by=world.alice
    )
    colleague = make_user("lena-colleague", world.north, Role.LA_TEAM)
    browser_signed_in(pages, world.lena)
    page = pages.page
    pages.goto(reverse("corrections:decide", args=[correction.pk]))
    page.get_by_label("Yes, correct the record").check()
    correction_reject(correction=Correction.objects.get(pk=correction.pk), by=colleague, reason="Not proven")
    page.get_by_role("button", name="Save decision").click()

    banner = page.locator(".govuk-notification-banner")
    assert banner.locator(".govuk-notification-banner__title").inner_text() == "Important"
    assert "This correction has already been decided" in banner.inner_text()
    assert page.locator("h1").inner_text() == "Corrections waiting for a decision"
    assert page.get_by_role("button", name="Save decision").count() == 0  # no form for a decided correction
    assert child_details(Child.objects.get(pk=child.pk)).family_name == "Thornton"
    check_on_a_phone(pages, "decided-by-a-colleague")
