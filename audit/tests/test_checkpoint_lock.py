"""How checkpoints are kept to one at a time on each database.

PostgreSQL: an advisory lock, proved with racing checkpoints in test_concurrent_writers.py. SQLite: every
transaction begins IMMEDIATE, i.e. takes the database's write lock at BEGIN, so a second checkpoint (or
any writer) waits for the first to commit.
"""

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: PostgreSQL uses an advisory lock")
def test_sqlite_transactions_take_the_write_lock_at_begin():
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
