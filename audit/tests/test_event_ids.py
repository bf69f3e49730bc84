"""How an event's id is reserved before its row is written, and how its time is written into the leaf."""

from contextlib import contextmanager
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


class _RecordingConnection:
    """Stands in for a PostgreSQL connection and records what the ledger asks of it."""

    vendor = "postgresql"

    def __init__(self) -> None:
        self.executed: list[tuple[str, list[str]]] = []

    @contextmanager
    def cursor(self):
        yield self

    def execute(self, sql: str, params: list[str]) -> None:
        self.executed.append((sql, params))

    def fetchone(self) -> tuple[int]:
        return (41,)


def test_on_postgresql_an_id_is_reserved_from_the_identity_sequence_not_from_the_highest_id(monkeypatch):
    """nextval is what keeps concurrent writers from reserving the same id; MAX(id) + 1 would not."""
    fake = _RecordingConnection()
    monkeypatch.setattr(ledger, "connection", fake)
    assert ledger.next_event_id() == 41
    [(sql, params)] = fake.executed
    assert sql == "SELECT nextval(pg_get_serial_sequence(%s, 'id'))"
    assert params == ["audit_auditevent"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the identity sequence is PostgreSQL's")
def test_on_postgresql_reserved_ids_are_never_handed_out_twice(db):
    first, second = ledger.next_event_id(), ledger.next_event_id()
    assert second > first
    assert event_record(tag=AuditTag.LoginFailed, actor=None).pk > second
