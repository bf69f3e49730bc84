"""A log with no events yet still gets a signed head: the RFC 6962 empty tree, and nothing else."""

from dataclasses import replace

from audit import merkle
from audit.checkpoints import checkpoint_create
from audit.models import AuditEvent
from audit.signing import signing_key
from audit.verification import heads_load, log_verify


def test_an_empty_log_is_signed_as_the_empty_tree_and_verifies(signed_log, db, settings):
    assert not AuditEvent.objects.exists()
    head = checkpoint_create().head
    assert (head.size, head.root, head.last_event_id) == (0, merkle.EMPTY_ROOT.hex(), 0)
    report = log_verify(
        heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key()
    )
    assert report.ok, report.findings
    assert (report.events, report.heads) == (0, 1)


def test_a_head_over_no_events_must_carry_the_empty_root(signed_log, db, settings):
    checkpoint_create()
    [head] = heads_load(settings.AUDIT_HEAD_EXPORT_DIR)
    report = log_verify(heads=[replace(head, root="ab" * 32)], public_key=signing_key().public_key())
    assert "root_mismatch" in {f.kind for f in report.findings}
