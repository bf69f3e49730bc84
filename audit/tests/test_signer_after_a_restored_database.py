"""A database restored on purpose from an older backup: how signing resumes, and how it does not.

The signer anchors on the latest exported head and stops (`HeadTrustError`) when that head is not in
the database (`audit.checkpoints.previous_trusted`). docs/DECISIONS.md (session 22) told an operator who
restores an older backup on purpose to "start a new head directory": with heads in the database and
none in the new directory the signer refuses just the same ("none is exported"), so signing stayed
stopped and `verify_audit` failed `heads_stale` for good. What resumes it is moving the heads the restore
lost (those newer than the database's latest head) out of the directory, kept as the record of what was
lost: the latest head left is then in the database, and signing carries on from it.
"""

import shutil

import pytest

from audit.checkpoints import HeadTrustError, checkpoint_create
from audit.models import AuditEvent, AuditHead, AuditSubtree
from audit.services import event_record
from audit.signing import signing_key
from audit.tags import AuditTag
from audit.tests.tampering import triggers_bypassed
from audit.verification import heads_load, log_verify

pytestmark = pytest.mark.django_db


def _events(count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        event_record(tag=AuditTag.LoginSucceeded, actor=None, additional={"n": n})


def _restored_to(head: AuditHead) -> None:
    """The database as a backup taken right after `head` holds it: nothing later, events, heads or cache."""
    with triggers_bypassed():
        AuditHead.objects.filter(size__gt=head.size).delete()
        AuditSubtree.objects.filter(last_event_id__gt=head.last_event_id).delete()
        AuditEvent.objects.filter(pk__gt=head.last_event_id).delete()


def test_a_new_empty_head_directory_after_a_restore_does_not_resume_signing(signed_log, settings):
    _events(5)
    kept = checkpoint_create().head
    _events(4, start=5)
    checkpoint_create()
    _restored_to(kept)
    settings.AUDIT_HEAD_EXPORT_DIR = signed_log / "heads-after-restore"
    _events(3, start=100)

    with pytest.raises(HeadTrustError, match="none is exported"):
        checkpoint_create()


def test_a_restore_resumes_signing_once_the_heads_it_lost_are_moved_aside(signed_log, settings):
    _events(5)
    kept = checkpoint_create().head
    _events(4, start=5)
    lost = checkpoint_create().head
    _restored_to(kept)
    with pytest.raises(HeadTrustError, match="move the exported heads newer than"):
        checkpoint_create()

    heads = settings.AUDIT_HEAD_EXPORT_DIR
    archive = signed_log / "heads-lost-in-the-restore"
    archive.mkdir()
    for path in sorted(heads.glob("head-*.json")):
        if int(path.name.split("-")[1]) > kept.size:
            shutil.move(path, archive / path.name)
    _events(3, start=100)

    resumed = checkpoint_create()

    assert resumed.created and resumed.consistency["from_size"] == kept.size
    remaining = heads_load(heads)
    assert [h.size for h in remaining] == [kept.size, resumed.head.size]
    public_key = signing_key().public_key()
    assert log_verify(heads=remaining, public_key=public_key).ok
    # The heads moved aside still tell what the restore lost.
    assert not log_verify(heads=heads_load(archive), public_key=public_key).ok
    assert [h.size for h in heads_load(archive)] == [lost.size]
