"""Log output from the practitioner journeys, errors included, holds no canary in any encoding."""

import io
import logging
import uuid

import pytest
from django.db import connections
from django.urls import reverse

import children.views
from tests.canaries import (
    DOB,
    FAMILY,
    canary_hits,
    practitioner_journey,
    seed_canary_child,
    signed_in_client,
)


def _all_loggers() -> list[logging.Logger]:
    named = [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    return [logging.getLogger(), *named]


@pytest.fixture
def log_output(monkeypatch):
    """Every handler the service configured writes into one buffer, every logger at DEBUG.

    Pytest's own capture handlers are left alone: they are the test runner, not service output.
    SQL statements are logged too (force_debug_cursor), so query parameters are checked as well.
    """
    buffer = io.StringIO()
    for logger in _all_loggers():
        monkeypatch.setattr(logger, "level", logging.DEBUG)
        # A logger caches whether it is enabled for each level (`Logger._cache`); set its level directly and
        # an earlier test's cached "not for DEBUG" (any test that ran queries through a debug cursor, such
        # as CaptureQueriesContext) kept the SQL log silent here. Emptied for this test, restored after.
        monkeypatch.setattr(logger, "_cache", {})
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest"):
                continue
            if type(handler) is logging.NullHandler:  # writes nothing anywhere (WeasyPrint adds one)
                continue
            assert isinstance(handler, logging.StreamHandler), f"unexpected handler {handler!r}"
            monkeypatch.setattr(handler, "stream", buffer)
            monkeypatch.setattr(handler, "level", logging.DEBUG)
    monkeypatch.setattr(logging.root.manager, "disable", 0)
    monkeypatch.setattr(connections["default"], "force_debug_cursor", True)
    return buffer


def test_practitioner_journeys_and_errors_log_no_canary(world, client, monkeypatch, log_output):
    child = seed_canary_child(world)
    practitioner_journey(client, child, world.alice)
    missing = client.get(reverse("children:record", args=[uuid.uuid4()]))
    assert missing.status_code == 404

    def exploding_search(*, criteria, fetched_by):
        raise RuntimeError(f"search failed for {criteria!r} born {DOB} at {criteria.family_name}")

    monkeypatch.setattr(children.views, "child_search", exploding_search)
    failing = signed_in_client(world.alice, raise_request_exception=False)
    crashed = failing.post(
        reverse("children:search"),
        {"family_name": FAMILY, "dob_day": DOB.day, "dob_month": DOB.month, "dob_year": DOB.year},
    )
    assert crashed.status_code == 500

    output = log_output.getvalue()
    assert "Internal Server Error" in output  # the capture really saw the error path
    assert "RuntimeError" in output
    assert "Not Found" in output
    assert "SELECT" in output  # and the SQL log
    assert canary_hits(output.encode()) == []  # every encoding, signed payloads opened
