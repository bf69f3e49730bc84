"""verify_audit judges the log and the search index as they stood at one moment, so a live service's
searches during a run are never reported as tampering.

The verifier streams every event (one query), then checks every SearchAppearance row against the
searches it read (a second query). On PostgreSQL, under READ COMMITTED, each query sees what had
committed when it started: a search committed while the (long: 37 s per million events) event scan ran
was missing from the events read but its result rows were there for the second query, so the run
failed `appearance_inserted`, as if someone had planted a row to explain a view. At 200,000 enquiries a
day nearly every monitoring run of a national log would fail, and an alarm that always rings hides the
one that matters.
"""

import threading
import uuid

import pytest
from django.conf import settings
from django.db import connection, connections

from audit import verification
from audit.checkpoints import checkpoint_create
from audit.models import SearchAppearance
from audit.services import event_record
from audit.signing import signing_key
from audit.tags import AuditTag
from audit.verification import heads_load, log_verify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: writers commit beside a reader on their own connections",
    ),
]


def _search_committed_elsewhere() -> int:
    """A practitioner's search, committed on another connection (another app server)."""
    found: list[int] = []

    def search() -> None:
        try:
            event = event_record(
                tag=AuditTag.SearchPerformed, actor=None, additional={"result_ids": [str(uuid.uuid4())]}
            )
            found.append(event.pk)
        finally:
            connections.close_all()

    thread = threading.Thread(target=search)
    thread.start()
    thread.join(timeout=30)
    return found[0]


def test_a_search_committed_while_the_log_is_verified_is_not_reported_as_tampering(signed_log, monkeypatch):
    for _ in range(6):
        event_record(tag=AuditTag.SearchPerformed, actor=None, additional={"result_ids": [str(uuid.uuid4())]})
    checkpoint_create()
    during: list[int] = []
    original = verification.entry_bytes

    def scanning(**entry):
        if not during:  # the event scan is under way
            during.append(_search_committed_elsewhere())
        return original(**entry)

    monkeypatch.setattr(verification, "entry_bytes", scanning)
    report = log_verify(
        heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key()
    )
    assert SearchAppearance.objects.filter(event_id=during[0]).count() == 1  # it did commit, with its row
    assert report.ok, [str(f) for f in report.findings]
    assert report.events == 6  # the log as it stood when the run began
    # The next run reads it, and it verifies.
    monkeypatch.setattr(verification, "entry_bytes", original)
    again = log_verify(
        heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key()
    )
    assert again.ok, [str(f) for f in again.findings]
    assert again.events == 7 and again.tail_size == 1


@pytest.mark.django_db(transaction=False)
def test_a_run_inside_a_transaction_the_caller_opened_reads_in_that_transaction(signed_log):
    """The isolation of a transaction that may have read already cannot be set: the caller's is used."""
    assert connection.in_atomic_block  # the test's own transaction, which has written the log below
    event_record(tag=AuditTag.SearchPerformed, actor=None, additional={"result_ids": [str(uuid.uuid4())]})
    checkpoint_create()
    report = log_verify(
        heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key()
    )
    assert report.ok, [str(f) for f in report.findings]
    assert report.events == 1
