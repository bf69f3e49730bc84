"""Concurrent writers, for real: threads with their own database connections, started together.

Each thread opens its own connection (Django's connections are per thread) and waits on a barrier, so
the writers race. What must hold whatever the interleaving:
- appending: every event gets its own id, so N writers x M events give N*M tree positions 1..N*M with
  no id written twice, and the log verifies;
- checkpointing: one checkpoint signs at a time, so racing checkpoints sign one head per tree size,
  each extending the one before.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from audit import checkpoints
from audit.checkpoints import checkpoint_create
from audit.ledger import entry_leaf_hex
from audit.models import AuditEvent, AuditHead
from audit.services import event_record
from audit.signing import signing_key
from audit.tags import AuditTag
from audit.verification import heads_load, log_verify
from tests.concurrency import run_together

postgresql_only = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: the identity sequence and the advisory lock are PostgreSQL's",
    ),
]

pytestmark = [pytest.mark.django_db(transaction=True), *postgresql_only]

WRITERS = 4
EVENTS_EACH = 25


def _append(writer: int) -> list[int]:
    return [
        event_record(tag=AuditTag.LoginFailed, actor=None, additional={"writer": writer, "n": n}).pk
        for n in range(EVENTS_EACH)
    ]


def _verify() -> Any:
    return log_verify(heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key())


def test_concurrent_writers_never_share_an_id_and_fill_positions_one_to_n_times_m(signed_log):
    ids_by_writer = run_together(WRITERS, _append)
    ids = [event_id for ids in ids_by_writer for event_id in ids]
    assert len(ids) == len(set(ids)) == WRITERS * EVENTS_EACH
    stored = list(AuditEvent.objects.order_by("id"))
    assert [e.pk for e in stored] == sorted(ids)
    positions = {e.pk: position for position, e in enumerate(stored, start=1)}
    assert sorted(positions.values()) == list(range(1, WRITERS * EVENTS_EACH + 1))
    for writer, written in enumerate(ids_by_writer):
        assert [e.additional["n"] for e in stored if e.pk in written] == list(range(EVENTS_EACH))
        assert {e.additional["writer"] for e in stored if e.pk in written} == {writer}
    for event in stored:
        columns = {
            "occurred_at": event.occurred_at,
            "tag": event.tag,
            "actor_id": event.actor_id,
            "organisation_id": event.organisation_id,
            "child_id": event.child_id,
            "additional": event.additional,
        }
        assert event.leaf_hash == entry_leaf_hex(id=event.pk, **columns)
    head = checkpoint_create().head
    assert head.size == WRITERS * EVENTS_EACH
    report = _verify()
    assert report.ok, report.findings
    assert report.events == WRITERS * EVENTS_EACH


class _Overlap:
    """Records when each checkpoint is inside its critical section, holding it open a moment."""

    def __init__(self, original: Callable[..., Any]) -> None:
        self.original = original
        self.inside = 0
        self.most_inside = 0
        self.lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        try:
            time.sleep(0.3)  # wide enough that an unlocked second checkpoint would be inside too
            return self.original(*args, **kwargs)
        finally:
            with self.lock:
                self.inside -= 1


def test_racing_checkpoints_sign_one_at_a_time_and_each_head_extends_the_last(signed_log, monkeypatch):
    for n in range(5):
        event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": n})
    checkpoint_create()
    for n in range(6):
        event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": n})
    overlap = _Overlap(checkpoints._cache_new_blocks)
    monkeypatch.setattr(checkpoints, "_cache_new_blocks", overlap)

    results = run_together(3, lambda _: checkpoint_create())

    assert overlap.most_inside == 1
    assert sorted(r.created for r in results) == [False, False, True]
    heads = list(AuditHead.objects.order_by("id"))
    assert [h.size for h in heads] == [5, 11]
    [signed] = [r for r in results if r.created]
    assert signed.consistency["from_size"] == 5
    assert signed.consistency["from_root"] == heads[0].root
    report = _verify()
    assert report.ok, report.findings
    assert report.heads == 2
