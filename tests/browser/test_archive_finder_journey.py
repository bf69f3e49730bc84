"""The data manager's archive finder: Dara (North's data manager) goes from her home to the finder, is
told a live record's number finds nothing there, enters an archived child's index number and reaches
that record's purpose page, then opens it for a subject access request. Every page is checked at
1280, 375 and 390 px with axe (serious, critical and landmark findings)."""

import pytest
from django.utils import timezone

from children.index_number import formatted
from children.models import Child, RecordStatus
from lifecycle.services import child_archive
from lifecycle.views import NOT_FOUND
from tests.browser.conftest import Pages
from tests.browser.landmarks import check_page
from tests.browser.signed_in import browser_signed_in
from tests.personas import World, make_child

pytestmark = pytest.mark.browser


def test_the_data_manager_finds_an_archived_record_by_index_number_and_reaches_its_purpose_page(
    pages: Pages, world: World, child: Child
) -> None:
    assert child_archive(child_id=child.pk, rule="age", today=timezone.localdate())
    live = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    page = pages.page
    browser_signed_in(pages, world.dara)
    pages.goto("/")
    page.get_by_role("heading", level=1, name="Records needing correction").wait_for()
    page.get_by_role("link", name="Find an archived record").click()
    page.get_by_role("heading", level=1, name="Find an archived record").wait_for()
    check_page(pages, "finder")

    finder = page.get_by_label("Index number")
    finder.fill(formatted(live.index_number))
    page.get_by_role("button", name="Find the record").click()
    page.locator(".govuk-error-summary").get_by_role("link", name=NOT_FOUND).wait_for()
    assert page.title().startswith("Error: Find an archived record")
    assert "Kai" not in page.locator("main").inner_text()
    check_page(pages, "finder-live-record-not-found")

    finder.fill(formatted(child.index_number))
    page.get_by_role("button", name="Find the record").click()
    page.get_by_role("group", name="Why are you opening this archived record?").wait_for()
    caption = page.locator(".govuk-caption-l").inner_text()
    assert caption == f"Archived record, index number {formatted(child.index_number)}"
    assert "Amelia" not in page.locator("main").inner_text()  # nothing shown until a reason is given
    assert page.locator("#statutory-warning").count() == 0  # archived today: the first year
    check_page(pages, "archived-record-purpose")

    page.get_by_label("Answering a subject access request").check()
    page.get_by_label("Details", exact=True).fill("SAR-2026-0042")
    page.get_by_role("button", name="Open the archived record").click()
    page.get_by_role("heading", level=1, name="Amelia Thornton").wait_for()
    assert "Opened for: Answering a subject access request" in page.locator("#archive-notice").inner_text()
    check_page(pages, "archived-record")
    assert Child.objects.get(pk=child.pk).status == RecordStatus.ARCHIVED


def test_the_data_manager_opens_an_archived_shielded_record_and_is_told_its_location_is_withheld(
    pages: Pages, world: World, shielded_child: Child
) -> None:
    assert child_archive(child_id=shielded_child.pk, rule="age", today=timezone.localdate())
    page = pages.page
    browser_signed_in(pages, world.dara)
    pages.goto(f"/archive/{shielded_child.pk}/")
    page.get_by_label("Answering a subject access request").check()
    page.get_by_label("Details", exact=True).fill("SAR-2026-0043")
    page.get_by_role("button", name="Open the archived record").click()
    page.get_by_role("heading", level=1, name="Jasmine Okafor").wait_for()
    main = page.locator("main").inner_text()
    assert (
        "only the owning local authority's ContactPoint team sees"
        in page.locator("#shielded-notice").inner_text()
    )
    assert "LS6 2QT" not in main and "Grace Thornton" not in main and "07700 900123" not in main
    check_page(pages, "archived-shielded-record")
