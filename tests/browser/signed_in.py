"""Browser sessions that start signed in, for journeys that are not about signing in.

The sign-in journey itself is walked in test_practitioner_journey.py; here the session made by
`tests.journeys.signed_in` (past password and second factor) is handed to the browser as its cookie.
"""

from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.browser.conftest import SCREENSHOTS, Pages
from tests.journeys import signed_in

PHONE = {"width": 390, "height": 844}


def browser_signed_in(pages: Pages, user: User) -> Client:
    """Sign `user` in for this browser; the returned client shares the session (to state a purpose)."""
    client = signed_in(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    pages.page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": pages.base_url}]
    )
    return client


def check_on_a_phone(pages: Pages, name: str) -> None:
    """`Pages.check` (1280 and 375 px, axe) and the same page at 390 px: nothing scrolls sideways."""
    pages.check(name)
    page = pages.page
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(SCREENSHOTS / f"{pages.prefix}{pages.steps:02d}-{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert overflow <= 0, f"{name}: scrolls sideways by {overflow}px at 390px"
