"""The error pages in a browser: a form sent from a page out of date (CSRF) and a request the service
cannot read (400) are GOV.UK pages that pass the same checks as every other page (one h1, title, axe,
strict CSP, no sideways scrolling), and the CSRF page's advice (go back, reload, try again) works."""

import pytest
from django.conf import settings

from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.browser

OUT_OF_DATE = "Your page was out of date"
NOT_UNDERSTOOD = "The service could not understand your request"
# More fields than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS): the request is refused with a 400.
TOO_MANY_FIELDS = """() => {
    const form = document.createElement("form");
    form.method = "post";
    form.action = location.pathname;
    for (let i = 0; i < 1001; i++) {
        const input = document.createElement("input");
        input.type = "hidden"; input.name = "f" + i; input.value = "1";
        form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
}"""


def _forget_csrf_cookie(pages: Pages) -> None:
    """As after a sign-out in another tab: the page's token no longer matches any cookie."""
    context = pages.page.context
    kept = [cookie for cookie in context.cookies() if cookie["name"] != settings.CSRF_COOKIE_NAME]
    context.clear_cookies()
    context.add_cookies(kept)


def test_a_sign_in_from_a_page_out_of_date_says_what_to_do_and_that_works(pages: Pages, world: World) -> None:
    page = pages.page
    pages.goto("/account/sign-in/")
    _forget_csrf_cookie(pages)
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation() as sent:
        page.locator("main button[type=submit]").click()
    assert sent.value.status == 403
    page.get_by_role("heading", level=1, name=OUT_OF_DATE).wait_for()
    assert "Go back to the page, reload it and try again" in page.locator("main").inner_text()
    pages.problems.clear()  # the 403 itself is the page under test
    check_on_a_phone(pages, "out-of-date")

    page.go_back()
    page.reload()
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/account/mfa/**")  # past the password: on to the second factor


def test_a_signed_in_form_from_a_page_out_of_date_keeps_the_layout(pages: Pages, world: World) -> None:
    browser_signed_in(pages, world.alice)
    page = pages.page
    pages.goto("/account/password/")
    _forget_csrf_cookie(pages)
    with page.expect_navigation() as sent:
        page.locator("main button[type=submit]").click()
    assert sent.value.status == 403
    page.get_by_role("heading", level=1, name=OUT_OF_DATE).wait_for()
    assert page.get_by_role("button", name="Sign out").count() == 1
    pages.problems.clear()
    check_on_a_phone(pages, "out-of-date-signed-in")


def test_a_request_the_service_cannot_read_is_a_govuk_page(pages: Pages, world: World) -> None:
    page = pages.page
    pages.goto("/account/sign-in/")
    with page.expect_navigation() as sent:
        page.evaluate(TOO_MANY_FIELDS)
    assert sent.value.status == 400
    page.get_by_role("heading", level=1, name=NOT_UNDERSTOOD).wait_for()
    pages.problems.clear()  # the 400 itself is the page under test
    check_on_a_phone(pages, "not-understood")
    page.get_by_role("link", name="Go to your ContactPoint home page").click()
    page.get_by_role("heading", level=1, name="Sign in to ContactPoint").wait_for()
