"""An invitation link the page refuses is never written to the application log.

Django logs every 404 as "Not Found: <path>", and the invitation's path is its token: a link refused
because its account, or whoever made it, is suspended opens again once they are reinstated within its
day, so the log handed a live link (set the password, sign the agreement, enrol a second factor: the
account) to anyone reading it. The refusal is audited already (`account:invitation:refused`, ids only).
"""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from accounts.services import account_reinstate, account_suspend
from accounts.tests.invitations import ACCEPT, ivy_invited
from audit.models import AuditEvent
from audit.tags import AuditTag

DEAD_LINK = "This link has expired or has been used"


def test_a_link_refused_while_its_account_is_suspended_is_not_logged_and_opens_once_reinstated(
    world, caplog: pytest.LogCaptureFixture
):
    ivy, token = ivy_invited(world)
    account_suspend(user=ivy, by=world.lena, reason="Synthetic: checking the address")
    url = reverse("accounts:invitation", args=[token])

    with caplog.at_level(logging.DEBUG):
        page = Client().get(url)
        sent = Client().post(url, ACCEPT)

    assert (page.status_code, sent.status_code) == (404, 404)
    assert DEAD_LINK in page.content.decode() and DEAD_LINK in sent.content.decode()
    logged = [record.getMessage() for record in caplog.records]
    assert not [line for line in logged if token in line], f"the link was logged: {logged}"
    assert AuditEvent.objects.filter(tag=AuditTag.InvitationRefused).exists()

    account_reinstate(user=ivy, by=world.lena)
    assert Client().post(url, ACCEPT).status_code == 302  # the token was a live credential all along


def test_an_unknown_link_is_not_logged_either(world, caplog: pytest.LogCaptureFixture):
    url = reverse("accounts:invitation", args=["not-a-real-invitation-token"])
    with caplog.at_level(logging.DEBUG):
        page = Client().get(url)
    assert page.status_code == 404 and DEAD_LINK in page.content.decode()
    assert not [r for r in caplog.records if "not-a-real-invitation-token" in r.getMessage()]
