"""A writer mark is read from pg_locks, which lists the advisory locks of every database on the server.

A writer holding an id in another database (a second deployment, a test or CI database on a shared
server, the load bench's own database) holds no position in this log: it must neither hold this log's
signing back nor, held past the tail limit, stop its heartbeat and fail `heads_stale` here.
"""

import psycopg
import pytest
from django.db import connection

from audit.checkpoints import checkpoint_create, lowest_id_in_flight
from audit.ledger import WRITER_MARK_BASE
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: writer marks"),
]


@pytest.fixture
def writer_in_another_database():
    """A transaction in the server's `postgres` database holding a writer mark on id 1, left open."""
    params = {**connection.get_connection_params(), "dbname": "postgres"}
    other = psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    try:
        other.execute("SELECT pg_advisory_xact_lock_shared(%s)", [WRITER_MARK_BASE + 1])
        yield
    finally:
        other.rollback()
        other.close()


def test_a_writer_open_in_another_database_holds_back_nothing_in_this_log(
    signed_log, writer_in_another_database
):
    assert lowest_id_in_flight() is None
    for n in range(3):
        event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": n})
    signed = checkpoint_create()
    assert signed.created
    assert signed.head.size == AuditEvent.objects.count() == 3
