"""How an event's id is reserved before its row is written, and how its time is written into the leaf."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from audit import ledger
from audit.services import event_record
from audit.tags import AuditTag


def test_a_timestamp_is_written_as_utc_whatever_zone_it_arrives_in():
    naive = datetime(2024, 7, 1, 11, 30, 0, 5)
    expected = "2024-07-01T11:30:00.000005Z"
    assert ledger.timestamp_text(naive) == expected
    assert ledger.timestamp_text(naive.replace(tzinfo=UTC)) == expected
    assert (
        ledger.timestamp_text(datetime(2024, 7, 1, 12, 30, 0, 5, tzinfo=ZoneInfo("Europe/London")))
        == expected
    )


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the identity sequence is PostgreSQL's")
def test_on_postgresql_reserved_ids_are_never_handed_out_twice(db):
    """Reserved but unused ids are skipped, never reused (concurrent writers: test_concurrent_writers.py)."""
    first, second = ledger.next_event_id(), ledger.next_event_id()
    assert second > first
    assert event_record(tag=AuditTag.LoginFailed, actor=None).pk > second
