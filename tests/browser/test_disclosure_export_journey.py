"""A disclosure export from start to finish: Lena (North's LA team) asks for two children's names,
dates of birth and addresses for a court order; her colleague Leo approves it; Lena notes the passphrase
and downloads the encrypted file (a ZIP that opens with that passphrase), and the export then says it
has expired. Every page is checked at 1280, 375 and 390 px with axe (serious, critical and landmark
findings)."""

from pathlib import Path

import pytest
import pyzipper

from accounts.models import Role
from children.index_number import formatted
from children.models import Child
from disclosure.models import DisclosureExport, ExportStatus
from tests.browser.conftest import Pages
from tests.browser.landmarks import check_page
from tests.browser.signed_in import browser_signed_in
from tests.personas import World, make_child, make_user

pytestmark = pytest.mark.browser

REFERENCE = "CO-2026-118"


def _to_exports(pages: Pages) -> None:
    """From the team's home (Accounts) to the exports list, as a team member gets there."""
    page = pages.page
    pages.goto("/team/users/")
    page.get_by_role("link", name="Disclosure exports").click()
    page.get_by_role("heading", level=1, name="Disclosure exports").wait_for()


def test_an_export_is_asked_for_approved_by_a_colleague_downloaded_once_and_then_expired(
    pages: Pages, world: World, child: Child, tmp_path: Path
) -> None:
    kai = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    leo = make_user("leo", world.north, Role.LA_TEAM)
    page = pages.page

    browser_signed_in(pages, world.lena)
    _to_exports(pages)
    assert page.locator("#no-exports").count() == 1
    check_page(pages, "exports-none")
    page.get_by_role("link", name="Request a disclosure export").click()
    page.get_by_role("heading", level=1, name="Request a disclosure export").wait_for()
    check_page(pages, "export-new")
    page.get_by_label("A court order or another requirement of law").check()
    page.get_by_label("Reference").fill(REFERENCE)
    page.get_by_label("Index numbers of the children").fill(
        f"{formatted(child.index_number)}\n{formatted(kai.index_number)}"
    )
    details = page.get_by_role("group", name="Which details are needed?")
    for label in ("Name", "Date of birth", "Address"):
        details.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Send for approval").click()
    page.get_by_role("heading", level=1, name="Disclosure export").wait_for()
    assert (
        "A colleague in your LA team must approve it"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    assert page.locator("#export-status").inner_text() == "Waiting for approval"
    assert page.locator("#export-children li").all_inner_texts() == sorted(
        [formatted(child.index_number), formatted(kai.index_number)]
    )
    assert page.locator("#export-fields li").all_inner_texts() == [
        "Index number",
        "Name",
        "Date of birth",
        "Address",
    ]
    assert page.locator("#export-waiting").count() == 1  # the asker cannot approve her own request
    assert page.get_by_role("button", name="Save decision").count() == 0
    check_page(pages, "export-requested")

    page.context.clear_cookies()
    browser_signed_in(pages, leo)
    _to_exports(pages)
    row = page.locator("#exports tbody tr", has_text=REFERENCE)
    assert "Waiting for approval" in row.inner_text() and "Lena Example" in row.inner_text()
    check_page(pages, "exports-waiting")
    row.get_by_role("link").click()
    page.get_by_role("heading", level=1, name="Disclosure export").wait_for()
    check_page(pages, "export-to-decide")
    page.get_by_label("Yes, approve it").check()
    page.get_by_label("Reason for your decision").fill("Court order seen and checked")
    page.get_by_role("button", name="Save decision").click()
    page.locator(".govuk-notification-banner").get_by_text("Export approved.").wait_for()
    assert page.locator("#export-status").inner_text() == "Approved"
    assert page.locator("#export-passphrase").count() == 0  # only the asker downloads
    check_page(pages, "export-approved")
    assert DisclosureExport.objects.get().status == ExportStatus.APPROVED

    page.context.clear_cookies()
    browser_signed_in(pages, world.lena)
    _to_exports(pages)
    page.locator("#exports tbody tr", has_text=REFERENCE).get_by_role("link").click()
    page.get_by_role("heading", level=1, name="Disclosure export").wait_for()
    passphrase = page.locator("#export-passphrase").inner_text().strip()
    assert len(passphrase) >= 20
    check_page(pages, "export-ready")
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download the encrypted file").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".zip")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes()[:4] == b"PK\x03\x04"
    with pyzipper.AESZipFile(saved) as archive:
        archive.setpassword(passphrase.encode())
        table = archive.read("disclosure.csv").decode("utf-8")
    assert "Amelia" in table and "Lindqvist" in table and "LS2 7EW" in table

    page.reload()
    page.get_by_role("heading", level=1, name="Disclosure export").wait_for()
    assert page.locator("#export-status").inner_text() == "Downloaded"
    assert "This export has expired: it has been downloaded" in page.locator("#export-expired").inner_text()
    assert page.get_by_role("button", name="Download the encrypted file").count() == 0
    check_page(pages, "export-expired")
