"""Signing in: no navigation until the second factor is done, and a reused code is named as such."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.browser.conftest import Pages
from tests.browser.signed_in import check_on_a_phone
from tests.journeys import current_code, totp_device
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.browser


def test_a_reused_code_is_refused_in_words_and_the_menu_waits_for_the_second_factor(
    pages: Pages, world: World
) -> None:
    device = totp_device(world.alice)
    code = current_code(device)
    elsewhere = Client()  # the same code, already used to sign in on another device
    elsewhere.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert elsewhere.post(reverse("accounts:mfa"), {"code": code}).status_code == 302

    page = pages.page
    pages.goto("/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").wait_for()
    navigation = page.locator("#navigation")
    assert navigation.get_by_role("link").count() == 0
    assert navigation.get_by_role("button", name="Sign out").count() == 1
    check_on_a_phone(pages, "second-factor")

    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    message = "This code has already been used: wait for the next one"
    page.locator(".govuk-error-summary").get_by_role("link", name=message).wait_for()
    assert message in page.locator("#id_code-error").inner_text()
    assert page.title().startswith("Error: ")
    assert navigation.get_by_role("link").count() == 0
    check_on_a_phone(pages, "code-already-used")

    page.wait_for_timeout(2000)  # django-otp refuses any code for a second after a failure
    page.get_by_label("Security code").fill(current_code(device, offset_steps=1))  # the next one
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", level=1, name="Find a child").wait_for()
    assert navigation.get_by_role("link", name="Find a child").count() == 1
