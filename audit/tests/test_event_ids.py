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


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's")
def test_on_postgresql_a_search_event_and_its_appearances_are_one_statement_written_as_the_orm_writes_them(
    db, django_assert_num_queries
):
    from uuid import uuid4

    from audit.models import AuditEvent, SearchAppearance

    found = [str(uuid4()), str(uuid4())]
    with django_assert_num_queries(2):  # the reserved id, then event and appearances together
        event = event_record(
            tag=AuditTag.SearchPerformed, actor=None, additional={"result_ids": [*found, found[0]]}
        )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.tag, stored.additional, stored.leaf_hash, stored.occurred_at) == (
        event.tag,
        {"result_ids": [*found, found[0]]},
        event.leaf_hash,
        event.occurred_at,
    )
    assert (
        ledger.entry_leaf_hex(
            id=stored.pk,
            occurred_at=stored.occurred_at,
            tag=stored.tag,
            actor_id=stored.actor_id,
            organisation_id=stored.organisation_id,
            child_id=stored.child_id,
            additional=stored.additional,
        )
        == stored.leaf_hash
    )
    rows = SearchAppearance.objects.filter(event_id=event.pk).order_by("id")
    assert [(str(r.child_id), r.actor_id, r.occurred_at) for r in rows] == [
        (child_id, None, event.occurred_at) for child_id in found
    ]
    assert not event._state.adding


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's")
def test_on_postgresql_a_search_event_is_never_written_without_its_appearances(db, monkeypatch):
    """One statement: an appearance the database refuses takes its event with it."""
    from uuid import uuid4

    from django.db import DatabaseError, transaction

    from audit import services
    from audit.models import AuditEvent

    def refused(event):
        rows = appearances(event)
        for row in rows:
            row.actor_id = 2**40  # out of the column's range: refused by PostgreSQL, not by Python
        return rows

    appearances = services._appearances
    monkeypatch.setattr(services, "_appearances", refused)
    before = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic():
        event_record(tag=AuditTag.SearchPerformed, actor=None, additional={"result_ids": [str(uuid4())]})
    assert AuditEvent.objects.count() == before
