"""Secondary indexes and foreign keys set aside for the load, rebuilt and re-checked after it.

One sorted index build beats 12M index inserts, and one join that checks every row's foreign keys beats
a trigger and a locking lookup of the parent row for each of the ~25 rows a child writes (about a third
of the database's CPU per child, measured). Only non-unique indexes and foreign keys go: primary keys and
unique constraints (the index number's among them) stay, so they still refuse a duplicate during the
load. Putting a foreign key back checks every row (`ADD CONSTRAINT` without `NOT VALID`): an orphan row
fails the run loudly there, it is not let through. The definitions are kept in a table, so an
interrupted run still restores them when it is resumed (or `indexes_restore` is run).
"""

import time
from typing import NamedTuple

import psycopg

DEFERRED_TABLE = "bench_national_deferred_index"
_FOREIGN_KEY = "ALTER TABLE "  # how a deferred foreign key's definition starts (an index's: CREATE INDEX)


class Restored(NamedTuple):
    indexes: int
    foreign_keys: int
    seconds: float


def indexes_defer(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    """Drop the tables' non-unique indexes and foreign keys, remembering their definitions; returns
    their names."""
    with conn.transaction():
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {DEFERRED_TABLE} (name text PRIMARY KEY, definition text NOT NULL)"
        )
        conn.execute(
            f"INSERT INTO {DEFERRED_TABLE} (name, definition)"  # noqa: S608
            " SELECT i.indexname, i.indexdef FROM pg_indexes i"
            " JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid"
            " WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)"
            " AND NOT x.indisunique AND NOT x.indisprimary"
            " ON CONFLICT (name) DO NOTHING",
            (tables,),
        )
        conn.execute(
            f"INSERT INTO {DEFERRED_TABLE} (name, definition)"  # noqa: S608
            " SELECT c.conname, format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', t.relname, c.conname,"
            " pg_get_constraintdef(c.oid))"
            " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
            " WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace"
            " AND t.relname = ANY(%s)"
            " ON CONFLICT (name) DO NOTHING",
            (tables,),
        )
        rows = conn.execute(f"SELECT name, definition FROM {DEFERRED_TABLE} ORDER BY name").fetchall()  # noqa: S608
        for name, definition in rows:
            if definition.startswith(_FOREIGN_KEY):
                owner = conn.execute(
                    "SELECT t.relname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
                    " WHERE c.conname = %s AND c.contype = 'f'"
                    " AND t.relnamespace = current_schema()::regnamespace",
                    (name,),
                ).fetchone()
                if owner:
                    conn.execute(f'ALTER TABLE "{owner[0]}" DROP CONSTRAINT "{name}"')
            else:
                conn.execute(f'DROP INDEX IF EXISTS "{name}"')
    return [name for name, _ in rows]


def indexes_restore(conn: psycopg.Connection) -> Restored:
    """Rebuild every deferred index, then put every deferred foreign key back, checking every row."""
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (DEFERRED_TABLE,)).fetchone()
    if not exists or not exists[0]:
        return Restored(0, 0, 0.0)
    started = time.perf_counter()
    rows = conn.execute(
        f"SELECT name, definition FROM {DEFERRED_TABLE}"  # noqa: S608
        f" ORDER BY starts_with(definition, '{_FOREIGN_KEY}'), name"
    ).fetchall()
    foreign_keys = 0
    for name, definition in rows:
        with conn.transaction():
            if definition.startswith(_FOREIGN_KEY):
                conn.execute(definition)
                foreign_keys += 1
            else:
                conn.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
            conn.execute(f"DELETE FROM {DEFERRED_TABLE} WHERE name = %s", (name,))  # noqa: S608
    return Restored(len(rows) - foreign_keys, foreign_keys, time.perf_counter() - started)
