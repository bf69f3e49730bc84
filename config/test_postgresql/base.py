"""Django's PostgreSQL backend for the test suite only, with a flush that deletes rather than truncates.

Every test that commits (`django_db(transaction=True)`: the race tests, the browser tests) ends with a
flush of every table. Django's PostgreSQL flush is one TRUNCATE of all of them, which gives each table and
index new files: 0.5 to 1.5 s a test on this machine, some 400 tests on PostgreSQL, the suite's largest
single cost there. A DELETE of a test's few rows takes milliseconds and leaves the tables as empty.

The tables that refuse DELETE (the audit ledger's, by trigger: audit/migrations/0003_append_only.py),
and any table referring to them, are still truncated, as Django would. The ledger refuses TRUNCATE too
(audit/migrations/0007_ledger_refuses_truncate.py), with no switch of its own, so the flush truncates with
triggers off for that one statement: `SET LOCAL session_replication_role = replica`, which only a superuser
may set (the PostgreSQL test suite runs as one; the tamper tests need it too), back to `origin` before the
deletes, so their foreign key checks still run. Every foreign key Django makes
on PostgreSQL is deferrable, so the deletes need no order; a key that is not would fail the flush loudly
rather than leave rows behind. `config/tests/test_test_flush.py` proves every table ends empty.
"""

from collections.abc import Sequence
from typing import Any

from django.db.backends.postgresql import base, operations

_REFUSING_DELETE = """
    SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal AND c.relname = ANY(%s) AND c.relnamespace = 'public'::regnamespace
"""
_REFERRING = """
    SELECT DISTINCT c.relname FROM pg_constraint k
    JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
    WHERE k.contype = 'f' AND r.relname = ANY(%s) AND c.relnamespace = 'public'::regnamespace
"""


# A superuser's way past every trigger (the ledger's refusal of TRUNCATE included), for one statement.
_TRIGGERS_OFF = "SET LOCAL session_replication_role = replica;"
_TRIGGERS_ON = "SET LOCAL session_replication_role = origin;"


class DatabaseOperations(operations.DatabaseOperations):
    def _truncated(self, tables: list[str]) -> set[str]:
        """The tables a DELETE would not empty (a trigger refuses it), and every table referring to one."""
        with self.connection.cursor() as cursor:
            cursor.execute(_REFUSING_DELETE, [tables])
            found = {name for (name,) in cursor.fetchall()}
            while found:
                cursor.execute(_REFERRING, [sorted(found)])
                more = {name for (name,) in cursor.fetchall()} - found
                if not more:
                    break
                found |= more
        return found

    def sql_flush(
        self, style: Any, tables: Sequence[str], *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        if not tables or reset_sequences or allow_cascade:
            django = super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
            return [_TRIGGERS_OFF, *django, _TRIGGERS_ON] if django else django
        truncated = self._truncated(list(tables))
        sql = ["SET CONSTRAINTS ALL DEFERRED"]
        if truncated:
            names = ", ".join(self.quote_name(name) for name in sorted(truncated))
            sql += [_TRIGGERS_OFF, f"TRUNCATE {names};", _TRIGGERS_ON]
        sql += [f"DELETE FROM {self.quote_name(name)};" for name in tables if name not in truncated]  # noqa: S608 (names from the schema)
        return sql


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
