"""Two checkpoint processes (a watcher and an operator's `audit_checkpoint`, or two watchers) exporting
the same head at once.

A head is exported after its transaction commits, so a second checkpoint that takes the lock at that
moment finds the head in the database but not yet in the directory, and exports it itself
(`previous_trusted` -> `_export_missed`). Both then write the same file: each must do so through a
temporary file of its own, or one moves the other's away from under it and crashes after its commit (the
watcher stops, and signing with it).
"""

from pathlib import Path

from django.conf import settings

from audit.checkpoints import checkpoint_create
from audit.models import AuditHead
from audit.services import event_record
from audit.signing import signing_key
from audit.tags import AuditTag
from audit.verification import heads_load, log_verify
from tests.concurrency import paused_for, postgresql_race

pytestmark = postgresql_race("two signers on their own sessions")


def test_a_head_exported_by_two_checkpoints_at_once_is_written_whole_and_neither_fails(
    signed_log, monkeypatch
):
    for n in range(3):
        event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": n})
    checkpoint_create()
    for n in range(2):
        event_record(tag=AuditTag.LoginFailed, actor=None, additional={"n": n})

    # The first signer has committed its head and written its temporary file; before it renames it,
    # a second signer runs from start to finish.
    first, second = paused_for(
        monkeypatch, Path, "replace", read=checkpoint_create, write=checkpoint_create, before=True
    )

    assert first.created and not second.created
    assert second.head.pk == first.head.pk
    heads = heads_load(settings.AUDIT_HEAD_EXPORT_DIR)
    assert [h.size for h in heads] == [3, 5]
    assert [h.size for h in AuditHead.objects.order_by("id")] == [3, 5]
    assert not list(Path(settings.AUDIT_HEAD_EXPORT_DIR).glob("*.tmp"))
    report = log_verify(heads=heads, public_key=signing_key().public_key())
    assert report.ok, report.findings
