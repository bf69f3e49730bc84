"""A live invitation link is never written to the application log by a request the page refuses.

Session 31 kept the refused link's 404 out of Django's "Not Found: <path>" line, but the path is the
token for every answer: Django also logs "Method Not Allowed (HEAD): <path>" (a mail scanner or a link
preview checking the link sends HEAD) and "Forbidden (CSRF cookie not set.): <path>" (a browser that
kept no cookie posting the form), each with a link that still opens, so whoever read the log could set
the password and take the account.
"""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.invitations import ACCEPT, ivy_invited


def _logged(caplog: pytest.LogCaptureFixture, token: str) -> list[str]:
    return [line for line in (r.getMessage() for r in caplog.records) if token in line]


@pytest.mark.parametrize("method", ["head", "put", "delete", "options"])
def test_a_live_link_checked_with_another_method_is_not_logged_and_still_opens(
    world, caplog: pytest.LogCaptureFixture, method
):
    _ivy, token = ivy_invited(world)
    url = reverse("accounts:invitation", args=[token])

    with caplog.at_level(logging.DEBUG):
        answer = getattr(Client(), method)(url)

    assert answer.status_code == 405 and answer["Allow"] == "GET, POST"
    assert not _logged(caplog, token), f"the live link was logged: {_logged(caplog, token)}"
    assert Client().post(url, ACCEPT).status_code == 302  # still the live credential


def test_a_form_sent_without_its_csrf_cookie_is_refused_and_the_link_not_logged(
    world, caplog: pytest.LogCaptureFixture
):
    ivy, token = ivy_invited(world)
    url = reverse("accounts:invitation", args=[token])

    with caplog.at_level(logging.DEBUG):
        answer = Client(enforce_csrf_checks=True).post(url, ACCEPT)

    assert answer.status_code == 403 and "Your page was out of date" in answer.content.decode()
    assert not _logged(caplog, token), f"the live link was logged: {_logged(caplog, token)}"
    # The refusal is still logged for the operators, naming the page but not its link.
    assert "Forbidden (CSRF cookie not set.): an invitation link" in [r.getMessage() for r in caplog.records]
    ivy.refresh_from_db()
    assert not ivy.check_password(ACCEPT["password1"])  # nothing was set
    assert Client().post(url, ACCEPT).status_code == 302


def test_the_form_sent_from_the_page_with_its_csrf_token_still_sets_the_password(world):
    ivy, token = ivy_invited(world)
    url = reverse("accounts:invitation", args=[token])
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    assert page.status_code == 200 and "Create a password" in page.content.decode()

    sent = browser.post(url, {**ACCEPT, "csrfmiddlewaretoken": page.context["csrf_token"]})

    assert sent.status_code == 302
    ivy.refresh_from_db()
    assert ivy.check_password(ACCEPT["password1"])
