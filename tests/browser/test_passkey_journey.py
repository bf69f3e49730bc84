"""A practitioner adds a passkey, signs out, and finishes the next sign-in with it instead of a code.

Chromium's DevTools virtual authenticator stands in for a platform passkey (ctap2, internal, with user
verification), so the package's real browser scripts and the server's real verification both run.
Fixtures live in this module so this test does not depend on another branch's browser conftest.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import current_code, totp_device
from tests.personas import PASSWORD, build_world

pytestmark = pytest.mark.browser

VIRTUAL_PASSKEY = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


@pytest.fixture
def passkey_page(browser: Any, live_server: Any, settings: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page with a virtual passkey authenticator; the relying party is the live server's host."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_PASSKEY})
    yield page, problems
    context.close()


def _sign_in_with_password(page: Any, user: User) -> None:
    page.goto(reverse("accounts:login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"**{reverse('accounts:mfa')}**")


def test_a_practitioner_adds_a_passkey_and_signs_in_with_it(transactional_db, passkey_page):
    page, problems = passkey_page
    alice = build_world().alice
    device = totp_device(alice)

    _sign_in_with_password(page, alice)
    assert page.locator("#passkey-verification-placeholder").count() == 0  # no passkey yet: TOTP only
    page.fill("input[name=code]", current_code(device))
    page.click("button:has-text('Continue')")
    page.wait_for_url(f"**{reverse('children:search')}**")

    page.goto(reverse("accounts:passkeys"))
    assert page.locator("#passkey-list-empty").is_visible()
    page.click("#passkey-register-button")
    page.wait_for_selector("#passkey-list", timeout=15_000)
    assert AuditEvent.objects.filter(tag=AuditTag.PasskeyRegistered, actor=alice).count() == 1

    page.click("button:has-text('Sign out')")
    page.wait_for_url(f"**{reverse('accounts:login')}**")

    _sign_in_with_password(page, alice)
    page.click("#passkey-verification-button")
    page.wait_for_url(f"**{reverse('children:search')}**", timeout=15_000)
    assert page.locator("h1").count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.PasskeyVerified, actor=alice).count() == 1
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    assert problems == []
