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


TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def timestamp_text(moment: datetime) -> str:
    """Always UTC with microseconds, whatever the database or connection time zone gave back."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def timestamp_parse(text: str) -> datetime:
    """The moment `timestamp_text` wrote (a signed head's `issued_at`), aware UTC."""
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=UTC)


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


# PostgreSQL: each writer transaction marks its first (lowest) event id with a shared advisory lock
# (bigint key WRITER_MARK_BASE + id, held to commit or rollback), so a checkpoint can see which ids are
# handed out but not yet committed and never sign a position around them
# (audit.checkpoints.lowest_id_in_flight). Shared locks never conflict: the mark blocks nobody. Keys run
# from 0x6962 * 2**40 to the top of bigint, far above the checkpoint lock (6962); linkage and
# coordination use the two-integer form, a separate key space in pg_locks (objsubid 2, not 1).
WRITER_MARK_BASE = 0x6962 << 40
WRITER_MARK_SPAN = (1 << 63) - WRITER_MARK_BASE


def next_event_id() -> int:
    """Reserve the id before the INSERT, so the row is written once, complete with its leaf hash.

    PostgreSQL: the identity sequence (safe under concurrency). Ids are handed out in call order but
    committed in transaction order, and tree positions are ranks in id order, so each event also takes
    its transaction's writer mark above, in the same statement (no extra round trip). The mark is keyed
    by the transaction's first id (ids only grow within a session, so that is its lowest), cached on the
    connection with the transaction id: later events re-take the same key, which PostgreSQL counts
    locally (one lock per transaction however many events, never one per event), and re-taking it also
    restores a mark a rolled-back savepoint released. SQLite: writers are serialised by BEGIN IMMEDIATE
    (see settings), so the AUTOINCREMENT high-water mark plus one is free.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            xid, first = getattr(connection, "audit_writer_mark", ("", 0))
            cursor.execute(
                "SELECT s.id, x.xid::text, m.first FROM"
                " (SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS id) AS s,"
                " LATERAL (SELECT pg_current_xact_id() AS xid) AS x,"
                " LATERAL (SELECT CASE WHEN x.xid::text = %s THEN %s ELSE s.id END AS first) AS m,"
                " LATERAL (SELECT pg_advisory_xact_lock_shared(%s + m.first)) AS mark",
                [EVENT_TABLE, xid, first, WRITER_MARK_BASE],
            )
            row = cursor.fetchone()
            connection.audit_writer_mark = (row[1], int(row[2]))  # type: ignore[attr-defined]
        else:
            cursor.execute(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"
                " COALESCE((SELECT MAX(id) FROM audit_auditevent), 0)) + 1",
                [EVENT_TABLE],
            )
            row = cursor.fetchone()
    return int(row[0])
