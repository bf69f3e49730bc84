"""Lockouts last their window, five minutes, and no longer: proved with a frozen clock.

The failures are all made at one frozen instant; the clock is then moved to just inside and just past
the window. A limiter that never expired, or one that expired early, fails here.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.forms import THROTTLED
from tests.personas import PASSWORD

START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)


def _sign_in(username: str, password: str, ip: str):
    return Client().post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] != reverse("accounts:login")


def _refused(response) -> bool:
    return response.status_code == 200 and THROTTLED in response.content.decode()


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_an_account_stays_locked_for_five_minutes_and_opens_after_them(world, frozen):
    for i in range(10):
        _sign_in("alice", f"wrong password {i}", ip=f"10.0.1.{i}")
    frozen.shift(WINDOW - timedelta(seconds=1))
    assert _refused(_sign_in("alice", PASSWORD, ip="10.0.2.1"))
    frozen.shift(timedelta(seconds=2))
    assert _signed_in(_sign_in("alice", PASSWORD, ip="10.0.2.1"))


def test_an_ip_address_stays_throttled_for_five_minutes_and_opens_after_them(world, frozen):
    for i in range(10):
        _sign_in(f"someone{i}", "wrong password", ip="10.9.9.9")
    frozen.shift(WINDOW - timedelta(seconds=1))
    assert _refused(_sign_in("alice", PASSWORD, ip="10.9.9.9"))
    frozen.shift(timedelta(seconds=2))
    assert _signed_in(_sign_in("alice", PASSWORD, ip="10.9.9.9"))


def test_failures_spread_beyond_the_window_do_not_add_up_to_a_lock(world, frozen):
    for i in range(9):
        _sign_in("alice", f"wrong password {i}", ip=f"10.0.1.{i}")
    frozen.shift(WINDOW + timedelta(seconds=1))
    _sign_in("alice", "wrong password 9", ip="10.0.1.9")
    assert _signed_in(_sign_in("alice", PASSWORD, ip="10.0.2.1"))
