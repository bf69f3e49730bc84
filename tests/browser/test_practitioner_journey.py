"""The practitioner journey in a real browser: sign in, search, state a purpose, view, record involvement.

Alice (social care, North) finds Amelia Thornton, records that she is working with her, makes herself lead
professional, records the CAF flag and then marks her involvement as ended. She also sees the GOV.UK error
summary for a search that lacks minimum criteria, and only the restricted view of a shielded child.
"""

import base64
import re

import pytest
from django_otp.oath import totp

from children.models import Child
from tests.browser.conftest import Pages
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.browser


def sign_in(pages: Pages, username: str, *, check: bool = True) -> None:
    page = pages.page
    pages.goto("/")
    if check:
        pages.check("sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    enrol_with_authenticator_app(pages, check=check)
    page.get_by_role("heading", level=1, name="Find a child").wait_for()


def enrol_with_authenticator_app(pages: Pages, *, check: bool) -> None:
    """First sign-in: read the key the page shows, as an authenticator app would, and confirm a code."""
    page = pages.page
    page.get_by_role("heading", level=1, name="Set up your authenticator app").wait_for()
    if check:
        pages.check("mfa-enrol")
    secret = page.locator("#totp-secret").inner_text().strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Security code").fill(f"{totp(key, step=30, t0=0, digits=6):06d}")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", level=1, name="Save your recovery codes").wait_for()
    assert page.locator("#recovery-codes li").count() == 8
    if check:
        pages.check("recovery-codes")
    page.get_by_role("link", name="I have saved my codes").click()


def search(pages: Pages, family_name: str, day: str = "", month: str = "", year: str = "") -> None:
    page = pages.page
    page.wait_for_load_state("load")  # submitting mid-load would abort the page's script (a failed request)
    page.get_by_label("Family name").fill(family_name)
    dob = page.get_by_role("group", name="Date of birth")
    dob.get_by_label("Day").fill(day)
    dob.get_by_label("Month").fill(month)
    dob.get_by_label("Year").fill(year)
    page.get_by_role("button", name="Search").click()


def state_purpose(pages: Pages, name: str) -> None:
    page = pages.page
    page.locator("#results").get_by_role("link", name=name).click()
    page.get_by_role("group", name="Why are you looking at this record?").wait_for()


def test_practitioner_finds_a_child_and_records_involvement(pages: Pages, world: World, child: Child) -> None:
    page = pages.page
    sign_in(pages, "alice")
    pages.check("search")

    search(pages, "Thornton")
    summary = page.locator(".govuk-error-summary")
    summary.get_by_text("Enter a date of birth, a full postcode, or a given name and gender").wait_for()
    assert page.title().startswith("Error: ")
    pages.check("search-needs-more-criteria")

    search(pages, "Thornton", "4", "3", "2015")
    results = page.locator("#results")
    results.get_by_role("heading", name="1 child found").wait_for()
    assert results.get_by_role("link", name="Amelia Thornton", exact=True).count() == 1
    pages.check("search-results")

    state_purpose(pages, "Amelia Thornton")
    page.get_by_role("button", name="Continue to the record").click()
    page.locator(".govuk-error-summary").get_by_role("link", name="Select why you are looking").click()
    assert page.evaluate("document.activeElement.name") == "purpose"
    pages.check("purpose-needs-an-answer")
    page.get_by_label("Providing or arranging a service for this child").check()
    page.get_by_role("button", name="Continue to the record").click()

    page.get_by_role("heading", level=1, name="Amelia Thornton").wait_for()
    page.get_by_role("heading", name="Who is working with this child").wait_for()
    pages.check("record")

    page.get_by_role("link", name="Record your involvement").click()
    pages.check("involvement-new")
    page.get_by_label("Your role with this child").fill("Allocated social worker")
    page.get_by_label("Contact phone number").fill("0113 496 0000")
    page.get_by_label("Contact email address").fill("alice.social@example.org")
    start = page.get_by_role("group", name="When did you start working with this child?")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("9")
    start.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Record involvement").click()

    banner = page.locator(".govuk-notification-banner--success")
    banner.get_by_text("Your involvement has been recorded").wait_for()
    row = page.locator("#involvements tbody tr", has_text="Allocated social worker")
    assert row.count() == 1
    assert "0113 496 0000" in row.inner_text()
    assert "1 Sep 2024" in row.inner_text()
    pages.check("involvement-recorded")

    page.get_by_role("link", name="Change lead professional").click()
    pages.check("lead-professional")
    page.get_by_label(re.compile(r"Alice Example, Allocated social worker")).check()
    page.get_by_role("button", name="Save").click()
    banner.get_by_text("The lead professional has been updated").wait_for()
    assert "Lead professional" in row.inner_text()
    assert page.locator("#lead-professional").inner_text() == "Alice Example, Allocated social worker"

    page.get_by_role("link", name="Change Common Assessment (CAF) status").click()
    pages.check("caf")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    banner.get_by_text("The Common Assessment status has been updated").wait_for()
    assert page.locator("#caf-status").inner_text() == "Completed"
    pages.check("lead-and-caf-set")

    row.get_by_role("link", name=re.compile("Mark as ended")).click()
    pages.check("involvement-end")
    end = page.get_by_role("group", name="When did the involvement end?")
    end.get_by_label("Day").fill("1")
    end.get_by_label("Month").fill("8")
    end.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Mark as ended").click()
    page.locator(".govuk-error-summary").get_by_text("on or after the start date").wait_for()
    pages.check("involvement-end-before-start")
    end.get_by_label("Month").fill("10")
    page.get_by_role("button", name="Mark as ended").click()

    banner.get_by_text("The involvement has been marked as ended").wait_for()
    assert "Ended 1 Oct 2024" in row.inner_text()
    pages.check("involvement-ended")


def test_practitioner_sees_only_the_restricted_view_of_a_shielded_child(
    pages: Pages, world: World, shielded_child: Child
) -> None:
    page = pages.page
    sign_in(pages, "alice", check=False)
    search(pages, "Okafor", "4", "3", "2015")
    page.locator("#results").get_by_text("Shielded").wait_for()
    pages.check("search-results")

    state_purpose(pages, "Jasmine Okafor")
    page.get_by_label("A safeguarding or child protection concern").check()
    page.get_by_role("button", name="Continue to the record").click()

    page.locator("#shielded-notice").wait_for()
    text = page.locator("main").inner_text()
    assert "Jasmine Okafor" in text
    assert "LS6" not in text
    assert "Quarry Lane" not in text
    assert "Who is working with this child" not in text
    pages.check("shielded-record")


def test_search_works_without_javascript(pages_without_javascript: Pages, world: World, child: Child) -> None:
    pages = pages_without_javascript
    page = pages.page
    sign_in(pages, "alice")
    search(pages, "Thornton")
    page.locator(".govuk-error-summary").wait_for()
    pages.check("search-needs-more-criteria")
    search(pages, "Thornton", "4", "13", "2015")
    assert page.locator(".govuk-error-summary li").all_inner_texts() == ["Date of birth must be a real date"]
    assert "Date of birth must be a real date" in page.locator("#dob-error").inner_text()
    pages.check("search-date-not-real")
    search(pages, "Thornton", "4", "3", "2015")
    page.locator("#results").get_by_role("heading", name="1 child found").wait_for()
    pages.check("search-results")
    page.locator("#results").get_by_role("link", name="Amelia Thornton").click()
    page.get_by_label("Finding another practitioner to contact").check()
    page.get_by_role("button", name="Continue to the record").click()
    page.get_by_role("heading", name="Who is working with this child").wait_for()
    pages.check("record")


def test_back_from_a_record_returns_to_the_search_results_without_searching_again(
    pages: Pages, world: World, child: Child
) -> None:
    from audit.models import AuditEvent
    from audit.tags import AuditTag

    page = pages.page
    sign_in(pages, "alice", check=False)
    search(pages, "Thornton", "4", "3", "2015")
    results = page.locator("#results")
    results.get_by_role("heading", name="1 child found").wait_for()
    assert "/children/search/results/" in page.url and "Thornton" not in page.url
    pages.check("results-before-back")

    state_purpose(pages, "Amelia Thornton")
    page.wait_for_load_state("load")  # leaving mid-load would abort its script: a failed request
    page.go_back()
    results.get_by_role("heading", name="1 child found").wait_for()
    assert results.get_by_role("link", name="Amelia Thornton", exact=True).count() == 1
    pages.check("results-after-browser-back")

    state_purpose(pages, "Amelia Thornton")
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Back to search").click()
    results.get_by_role("heading", name="1 child found").wait_for()
    pages.check("results-after-back-link")
    assert AuditEvent.objects.filter(tag=AuditTag.SearchPerformed, actor=world.alice).count() == 1
