"""A writer whose transaction is still open when a checkpoint runs must never break the signed log.

Tree positions are ranks in id order, and PostgreSQL hands out ids when an event is written, not when
its transaction commits. A transaction that holds a lower id but commits after a checkpoint has signed
the higher ids around it (a lock wait, a stalled app server, a big batch: anything longer than
AUDIT_CHECKPOINT_GRACE_SECONDS) used to shift every later position: `verify_audit` failed for good and
every later checkpoint refused to sign ("does not extend the last signed head"), leaving the whole log
after it unsigned. Real concurrent sessions: the slow writer runs in its own thread and connection.
"""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from audit import checkpoints
from audit.checkpoints import checkpoint_create, lowest_id_in_flight
from audit.models import AuditEvent, AuditHead
from audit.services import event_record
from audit.signing import signing_key
from audit.tags import AuditTag
from audit.verification import heads_load, log_verify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: SQLite's BEGIN IMMEDIATE serialises writers, so ids commit in order",
    ),
]


class _SlowWriter(threading.Thread):
    """Writes one event in its own transaction and connection, then waits to be told to commit."""

    def __init__(self) -> None:
        super().__init__()
        self.written = threading.Event()
        self.commit = threading.Event()
        self.event_id: int | None = None
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.event_id = event_record(tag=AuditTag.LoginFailed, actor=None, additional={"slow": 1}).pk
                self.written.set()
                assert self.commit.wait(timeout=30)
        except BaseException as error:  # re-raised by the test
            self.failure = error
            self.written.set()
        finally:
            connections.close_all()


def _verify():
    return log_verify(heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key())


def test_a_writer_still_open_past_the_grace_period_is_never_signed_around_and_signing_goes_on(signed_log):
    # signed_log sets AUDIT_CHECKPOINT_GRACE_SECONDS = 0: the slow transaction has outlived the grace period.
    event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": 0})
    checkpoint_create()
    slow = _SlowWriter()
    slow.start()
    assert slow.written.wait(timeout=30)
    assert slow.failure is None
    later = [event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": n}).pk for n in (1, 2)]
    assert slow.event_id is not None and slow.event_id < min(later)

    checkpoint_create()  # while the slow writer is still open

    slow.commit.set()
    slow.join(timeout=30)
    assert slow.failure is None
    event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": 3})

    signed = checkpoint_create()  # refused with "does not extend the last signed head" before the fix
    assert signed.head.size == AuditEvent.objects.count() == 5
    assert [h.size for h in AuditHead.objects.order_by("id")][-1] == 5
    report = _verify()
    assert report.ok, [str(f) for f in report.findings]
    assert report.events == 5


def _seen_from_another_session():
    found: list[int | None] = []
    thread = threading.Thread(target=lambda: (found.append(lowest_id_in_flight()), connections.close_all()))
    thread.start()
    thread.join(timeout=30)
    return found[0]


def test_an_open_writer_stays_visible_to_checkpoints_after_a_rolled_back_savepoint(signed_log):
    """The mark is PostgreSQL's advisory lock, which a rolled-back savepoint releases: the next event
    of the same transaction takes it again, and one transaction of many events holds one mark."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                event_record(tag=AuditTag.LoginFailed, actor=None)
                raise RuntimeError("roll the savepoint back")
        except RuntimeError:
            pass
        assert _seen_from_another_session() is None
        ids = [event_record(tag=AuditTag.LoginFailed, actor=None).pk for _ in range(3)]
        lowest = _seen_from_another_session()
        assert lowest is not None and lowest <= ids[0]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            )
            assert cursor.fetchone()[0] == 1
    assert _seen_from_another_session() is None


def test_a_writer_holding_signing_back_gets_no_heartbeat_so_a_long_stall_shows_as_stale_heads(
    signed_log, settings
):
    """A transaction that never commits (or an attacker holding a writer mark from a session of their
    own) stops the tree at its id. Heartbeat heads of the old size would keep the signed clock fresh
    while the tail behind the stall grows, rewritable and re-datable: no heartbeat is signed while the
    tree is held back, so a stall longer than the limit fails `heads_stale`."""
    settings.AUDIT_UNSIGNED_TAIL_MAX_SECONDS = 600
    event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": 0})
    first = checkpoint_create().head
    slow = _SlowWriter()
    slow.start()
    assert slow.written.wait(timeout=30)
    try:
        event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": 1})
        beat = timedelta(seconds=checkpoints.heartbeat_seconds())
        held = checkpoint_create(now=first.issued_at + beat)
        assert not held.created  # no heartbeat over a tree held back
        report = log_verify(
            heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR),
            public_key=signing_key().public_key(),
            now=first.issued_at + timedelta(seconds=601),
        )
        assert "heads_stale" in {f.kind for f in report.findings}
    finally:
        slow.commit.set()
        slow.join(timeout=30)
    assert slow.failure is None
    assert checkpoint_create(now=timezone.now() + beat).head.size == 3  # once it commits, signing goes on
