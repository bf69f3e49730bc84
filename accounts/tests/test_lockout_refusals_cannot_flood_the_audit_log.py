"""Sign-ins refused by the lockout are audited once a minute per lock, each event counting the refusals
of the minute before, so nobody can flood the audit log through the sign-in page.

Every refused sign-in wrote `account:login:throttled`. Before the lock each attempt costs a password hash
and is itself limited; once locked, a refusal costs nothing but the audit row: an anonymous visitor
(a CSRF cookie is all it takes) wrote one audit event per request, without end, burying real events
(the flood a revoked feed token could cause, closed in session 19 the same way).
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.forms import THROTTLED
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.personas import PASSWORD

START = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _sign_in(username, password, ip):
    return Client().post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _throttled_events():
    return list(AuditEvent.objects.filter(tag=AuditTag.LoginThrottled).order_by("id"))


def test_refusals_of_a_locked_account_are_audited_once_a_minute_with_the_minute_befores_count(world):
    with time_machine.travel(START, tick=False) as clock:
        for i in range(10):
            _sign_in("alice", f"wrong password {i}", ip=f"10.0.1.{i}")
        for i in range(50):
            assert THROTTLED in _sign_in("alice", PASSWORD, ip=f"10.0.3.{i}").content.decode()
        first = _throttled_events()
        assert len(first) == 1
        assert first[0].additional["locked"] == ["account"]
        assert first[0].additional["refused_in_the_minute_before"] == 0

        clock.move_to(START + timedelta(minutes=1))
        for i in range(7):
            _sign_in("alice", PASSWORD, ip=f"10.0.4.{i}")
        events = _throttled_events()
        assert len(events) == 2
        assert events[1].additional["refused_in_the_minute_before"] == 50
        assert events[1].additional["username_token"] == first[0].additional["username_token"]


def test_refusals_from_a_throttled_address_are_audited_once_a_minute_whatever_the_names(world):
    with time_machine.travel(START, tick=False):
        for i in range(10):
            _sign_in(f"someone{i}", "wrong password", ip="10.9.9.9")
        for i in range(40):
            assert THROTTLED in _sign_in(f"name{i}", "whatever", ip="10.9.9.9").content.decode()
        events = _throttled_events()
        assert len(events) == 1
        assert events[0].additional["locked"] == ["address"]


def test_two_locked_accounts_are_each_audited(world):
    with time_machine.travel(START, tick=False):
        for name in ("alice", "bob"):
            for i in range(10):
                _sign_in(name, f"wrong password {i}", ip=f"10.{len(name)}.1.{i}")
            for i in range(3):
                _sign_in(name, PASSWORD, ip=f"10.{len(name)}.2.{i}")
        assert len(_throttled_events()) == 2
