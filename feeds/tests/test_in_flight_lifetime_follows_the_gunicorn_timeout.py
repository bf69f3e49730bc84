"""A request slot and a batch hold outlive the longest request gunicorn lets run (GUNICORN_TIMEOUT), however
that is set: they live GUNICORN_TIMEOUT + 30 s, and never less than 60 s (`feeds.ratelimit.in_flight_seconds`).

Before, both lived a fixed 60 s. With GUNICORN_TIMEOUT set to 120, a request still running after 60 s lost
its slot (the source could then have one request more in flight than FEED_API_REQUESTS_IN_FLIGHT) and its
batch hold (a resend of the same batch began ingesting it beside the first request).

The timeout is read from the environment in two places with the same default: by gunicorn
(config/gunicorn.py, which must not load Django) and by the settings (GUNICORN_TIMEOUT). Both are checked
here to read the same value.
"""

import runpy
from datetime import timedelta
from pathlib import Path

import time_machine
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from feeds import ratelimit

GUNICORN_CONFIG = Path(settings.BASE_DIR) / "config" / "gunicorn.py"
BASE_SETTINGS = Path(settings.BASE_DIR) / "config" / "settings" / "base.py"


def _after(seconds: int):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


@override_settings(GUNICORN_TIMEOUT=120, FEED_API_REQUESTS_IN_FLIGHT=1)
def test_a_slot_outlives_a_longer_gunicorn_timeout(db):
    with _after(0):
        assert ratelimit.request_slot_take(7) is not None  # its request still running, past 60 s...
    with _after(121):
        assert ratelimit.request_slot_take(7) is None  # ...and past gunicorn's timeout: still held
    with _after(151):
        assert ratelimit.request_slot_take(7) is not None  # a killed worker's slot frees itself
    assert ratelimit.in_flight_seconds() == 150


@override_settings(GUNICORN_TIMEOUT=120)
def test_a_batch_hold_outlives_a_longer_gunicorn_timeout(db):
    with _after(0), ratelimit.batch_hold(7, "b1") as first:
        assert first
        with _after(121), ratelimit.batch_hold(7, "b1") as resent:
            assert not resent


@override_settings(GUNICORN_TIMEOUT=120)
def test_the_slot_expires_in_redis_after_the_timeout(db, redis_cache):
    assert ratelimit.request_slot_take(7) is not None
    [key] = redis_cache.keys("*in_flight*")
    assert 120 < redis_cache.ttl(key) <= 150


def test_a_short_timeout_keeps_the_least_lifetime():
    with override_settings(GUNICORN_TIMEOUT=10):
        assert ratelimit.in_flight_seconds() == ratelimit.IN_FLIGHT_SECONDS == 60
    with override_settings(GUNICORN_TIMEOUT=30):
        assert ratelimit.in_flight_seconds() == 60


def test_gunicorn_and_the_settings_read_the_same_timeout(monkeypatch):
    monkeypatch.delenv("GUNICORN_TIMEOUT", raising=False)
    default = runpy.run_path(str(GUNICORN_CONFIG))["timeout"]
    assert default == runpy.run_path(str(BASE_SETTINGS))["GUNICORN_TIMEOUT"] == 30
    monkeypatch.setenv("GUNICORN_TIMEOUT", "120")
    assert runpy.run_path(str(GUNICORN_CONFIG))["timeout"] == 120
    assert runpy.run_path(str(BASE_SETTINGS))["GUNICORN_TIMEOUT"] == 120


def test_a_timeout_of_0_which_gunicorn_reads_as_none_keeps_slots_an_hour():
    """gunicorn reads 0 as "never kill a request": read as 0 seconds, a slot lived 60 s and a longer
    request outlived it (found by the review of the fix)."""
    with override_settings(GUNICORN_TIMEOUT=0):
        assert ratelimit.in_flight_seconds() == ratelimit.IN_FLIGHT_UNBOUNDED_SECONDS == 3600
