"""verify_audit reads rows raw; SQLite and PostgreSQL hand back different shapes that must hash alike."""

import json
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from audit import merkle
from audit.checkpoints import checkpoint_create
from audit.ledger import entry_bytes
from audit.services import event_record
from audit.signing import signing_key
from audit.tags import AuditTag
from audit.verification import _normalise, _rows, heads_load, log_verify
from tests.personas import make_child


def _leaf(row):
    return merkle.leaf_hash(entry_bytes(**_normalise(row))).hex()


def test_sqlite_and_postgresql_row_shapes_hash_to_the_same_stored_leaf(world):
    child = make_child(world)
    event = event_record(
        tag=AuditTag.RecordViewed, actor=world.alice, child_id=child.pk, additional={"b": [1, "é"], "a": None}
    )
    event.refresh_from_db()
    common = (event.tag, event.actor_id, event.organisation_id)
    additional = json.dumps(event.additional)
    as_sqlite = (
        event.pk,
        event.occurred_at.astimezone(UTC).replace(tzinfo=None),
        *common,
        child.pk.hex,
        additional,
    )
    london = event.occurred_at.astimezone(ZoneInfo("Europe/London"))
    as_postgresql = (event.pk, london, *common, child.pk, additional)
    assert _leaf(as_sqlite) == _leaf(as_postgresql) == event.leaf_hash
    [stored] = [row for row in _rows() if row[0] == event.pk]
    assert _leaf(stored[:7]) == stored[7] == event.leaf_hash


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="PostgreSQL's uuid column refuses a value that is not one"
)
def test_a_row_that_cannot_be_read_back_is_reported_by_id_and_the_scan_goes_on(signed_log, db, settings):
    events = [event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": n}) for n in range(6)]
    checkpoint_create()
    victim = events[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET child_id = %s WHERE id = %s", ["not-a-uuid", victim.pk])
    report = log_verify(
        heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key()
    )
    assert report.events == 6
    unreadable = [f for f in report.findings if f.kind == "unreadable"]
    assert [(f.event_id, f.detail) for f in unreadable] == [
        (victim.pk, "stored values cannot be read back (ValueError)")
    ]
    assert report.edited_ids() == {victim.pk}
    assert "root_mismatch" in {f.kind for f in report.findings}


def test_an_unreadable_timestamp_is_reported_not_a_crash(signed_log, db, settings):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL refuses a non-date in a timestamp column at write time")
    events = [event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": n}) for n in range(4)]
    checkpoint_create()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET occurred_at = %s WHERE id = %s", ["garbage", events[1].pk]
        )
    report = log_verify(
        heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key()
    )
    assert report.edited_ids() == {events[1].pk}
    assert "unreadable" in {f.kind for f in report.findings}
