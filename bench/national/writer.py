"""One chunk, one transaction: its progress row and every row of its children, or nothing.

The progress row goes in first: its primary key (the chunk number) refuses a second writer of the same
chunk before any child is copied, and a worker killed mid-chunk leaves neither children nor progress
behind, so the next run writes the chunk again, whole. Index numbers are unique in the table too, so a
duplicate child could not be committed even if the progress table were wrong.
"""

import struct
from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

import psycopg
from django.db import models

from bench.national.rows import MODELS, ChunkRows, copy_fields, copy_statement, copy_types
from children.models import BlockingKeyEntry

COPIED: tuple[type[models.Model], ...] = (*MODELS, BlockingKeyEntry)
PROGRESS_TABLE = "bench_national_chunk"
RUN_TABLE = "bench_national_run"

SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {RUN_TABLE} ("
    " id integer PRIMARY KEY CHECK (id = 1), seed bigint NOT NULL, chunk_size integer NOT NULL,"
    " today date NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {PROGRESS_TABLE} ("
    " chunk integer PRIMARY KEY, children integer NOT NULL, written_at timestamptz NOT NULL DEFAULT now())",
)


class RunMismatch(Exception):
    """The database holds chunks of another run (seed, chunk size or date): resuming would mix them."""


def run_claim(conn: psycopg.Connection, *, seed: int, chunk_size: int, today: date) -> None:
    """Record this run's parameters, or check they are the ones the database was loaded with."""
    with conn.transaction():
        for statement in SCHEMA:
            conn.execute(statement)
        conn.execute(
            f"INSERT INTO {RUN_TABLE} (id, seed, chunk_size, today) VALUES (1, %s, %s, %s)"  # noqa: S608
            " ON CONFLICT (id) DO NOTHING",
            (seed, chunk_size, today),
        )
        row = conn.execute(f"SELECT seed, chunk_size, today FROM {RUN_TABLE}").fetchone()  # noqa: S608
    if row != (seed, chunk_size, today):
        raise RunMismatch(
            f"this database was loaded with seed, chunk size, date {row}; this run asks for "
            f"{(seed, chunk_size, today)}: use the same ones to resume, or a new database"
        )


def chunks_done(conn: psycopg.Connection) -> dict[int, int]:
    """Committed chunks and how many children each wrote."""
    rows = conn.execute(f"SELECT chunk, children FROM {PROGRESS_TABLE}").fetchall()  # noqa: S608
    return {chunk: children for chunk, children in rows}


# PostgreSQL's binary COPY framing (https://www.postgresql.org/docs/current/sql-copy.html): a signature,
# flags and header extension length, then rows, then -1 as the field count.
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_TRAILER = b"\xff\xff"
# A blocking key row: 3 fields; uuid (16 bytes), bigint (8), boolean (1), each after its length.
_KEY_ROW = struct.Struct("!hi16siqib")
KEY_COLUMN_TYPES = ["uuid", "bigint", "boolean"]


def blocking_keys_binary(rows: Iterable[tuple[UUID, int, bool]]) -> bytes:
    """A whole binary COPY of (child, digest, hidden) rows, packed by `struct` rather than psycopg's
    per-value dumpers: ~20 of these rows a child make this the loader's most numerous write."""
    pack = _KEY_ROW.pack
    last: UUID | None = None
    raw = b""
    parts = [_SIGNATURE]
    for child, digest, hidden in rows:
        if child is not last:
            last, raw = child, child.bytes
        parts.append(pack(3, 16, raw, 8, digest, 1, hidden))
    parts.append(_TRAILER)
    return b"".join(parts)


def _copy(cursor: psycopg.Cursor[Any], model: type[models.Model], rows: ChunkRows) -> None:
    table = model._meta.db_table
    with cursor.copy(copy_statement(table, [f.column for f in copy_fields(model)])) as copy:
        if model is BlockingKeyEntry:
            if copy_types(model) != KEY_COLUMN_TYPES:
                raise TypeError(f"{table} columns changed: update blocking_keys_binary")
            copy.write(blocking_keys_binary(rows.rows.get(table, [])))
            return
        copy.set_types(copy_types(model))
        for row in rows.rows.get(table, []):
            copy.write_row(row)


def chunk_write(conn: psycopg.Connection, chunk: int, rows: ChunkRows) -> None:
    """Write the chunk's progress row and all its rows in one transaction."""
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PROGRESS_TABLE} (chunk, children) VALUES (%s, %s)",  # noqa: S608
            (chunk, rows.children),
        )
        for model in COPIED:
            _copy(cursor, model, rows)
