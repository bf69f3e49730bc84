"""Secondary indexes set aside for the load and rebuilt after it (one sorted build beats 12M inserts).

Only non-unique indexes go: primary keys and unique constraints (the index number's among them) stay,
so they still refuse a duplicate during the load. The definitions are kept in a table, so an
interrupted run still rebuilds them when it is resumed (or `indexes_restore` is run).
"""

import time

import psycopg

DEFERRED_TABLE = "bench_national_deferred_index"


def indexes_defer(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    """Drop the tables' non-unique indexes, remembering their definitions; returns their names."""
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
        names = [name for (name,) in conn.execute(f"SELECT name FROM {DEFERRED_TABLE} ORDER BY name")]  # noqa: S608
        for name in names:
            conn.execute(f'DROP INDEX IF EXISTS "{name}"')
    return names


def indexes_restore(conn: psycopg.Connection) -> tuple[int, float]:
    """Rebuild every deferred index; returns how many and the seconds it took."""
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (DEFERRED_TABLE,)).fetchone()
    if not exists or not exists[0]:
        return 0, 0.0
    started = time.perf_counter()
    rows = conn.execute(f"SELECT name, definition FROM {DEFERRED_TABLE} ORDER BY name").fetchall()  # noqa: S608
    for name, definition in rows:
        with conn.transaction():
            conn.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
            conn.execute(f"DELETE FROM {DEFERRED_TABLE} WHERE name = %s", (name,))  # noqa: S608
    return len(rows), time.perf_counter() - started
