"""Canonical bytes of an audit entry, and how the append path learns its id before inserting.

The leaf covers every stored column, so changing any byte of a row (its id included: moving a row is
changing it) changes the leaf. The serialisation is a JSON array with sorted keys and no whitespace,
with a version marker first so a future format can never be confused with this one.
"""

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.db import connection

from audit.merkle import leaf_hash

ENTRY_FORMAT = "cp-audit/1"
EVENT_TABLE = "audit_auditevent"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def timestamp_text(moment: datetime) -> str:
    """Always UTC with microseconds, whatever the database or connection time zone gave back."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_bytes(
    *,
    id: int,
    occurred_at: datetime,
    tag: str,
    actor_id: int | None,
    organisation_id: int | None,
    child_id: UUID | None,
    additional: Any,
) -> bytes:
    entry = [
        ENTRY_FORMAT,
        id,
        timestamp_text(occurred_at),
        tag,
        actor_id,
        organisation_id,
        str(child_id) if child_id is not None else None,
        additional,
    ]
    return canonical_json(entry).encode("utf-8")


def entry_leaf_hex(**columns: Any) -> str:
    return leaf_hash(entry_bytes(**columns)).hex()


def next_event_id() -> int:
    """Reserve the id before the INSERT, so the row is written once, complete with its leaf hash.

    PostgreSQL: the identity sequence (safe under concurrency). SQLite: writers are serialised by
    BEGIN IMMEDIATE (see settings), so the AUTOINCREMENT high-water mark plus one is free.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [EVENT_TABLE])
        else:
            cursor.execute(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"
                " COALESCE((SELECT MAX(id) FROM audit_auditevent), 0)) + 1",
                [EVENT_TABLE],
            )
        row = cursor.fetchone()
    return int(row[0])
