"""A sign-in refused by the lockout is audited with the name tried (as the failures' blind token) and
which limit refused it, never the name or the address themselves.

`account:login:throttled` said only that some sign-in was refused: once an account was locked, the log
no longer showed which account was under attack, nor whether an account or an address was locked,
while each failure before it did carry the name's blind token.
"""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.personas import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _sign_in(username, password, ip):
    return Client().post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_a_locked_account_is_named_in_the_lockout_event_by_the_failures_blind_token(world):
    for i in range(10):
        _sign_in("alice", f"wrong password {i}", ip=f"10.0.1.{i}")
    failed_tokens = {
        e.additional["username_token"] for e in AuditEvent.objects.filter(tag=AuditTag.LoginFailed)
    }
    assert len(failed_tokens) == 1

    assert "Too many attempts" in _sign_in(" ALICE ", PASSWORD, ip="10.0.2.1").content.decode()
    event = AuditEvent.objects.get(tag=AuditTag.LoginThrottled)
    assert event.actor is None
    assert event.additional == {
        "username_token": failed_tokens.pop(),
        "locked": ["account"],
        "refused_in_the_minute_before": 0,
    }
    assert "alice" not in str(event.additional).lower()
    assert "10.0.2.1" not in str(event.additional)


def test_a_throttled_address_is_said_to_be_the_address(world):
    for i in range(10):
        _sign_in(f"someone{i}", "wrong password", ip="10.9.9.9")
    assert "Too many attempts" in _sign_in("alice", PASSWORD, ip="10.9.9.9").content.decode()
    event = AuditEvent.objects.get(tag=AuditTag.LoginThrottled)
    assert event.additional["locked"] == ["address"]
    assert "10.9.9.9" not in str(event.additional)
