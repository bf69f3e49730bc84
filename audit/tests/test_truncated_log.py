"""Once events under the last signed head are gone, checkpoints and proofs stop rather than paper over it."""

import pytest

from audit import merkle
from audit.checkpoints import checkpoint_create, inclusion_proof_for
from audit.models import AuditEvent, AuditHead
from audit.services import event_record
from audit.tags import AuditTag
from audit.tests.tampering import triggers_bypassed


@pytest.fixture
def truncated(signed_log, db):
    """Six events signed (one cached block of four, two in the partial block), then the last one deleted."""
    events = [event_record(tag=AuditTag.SearchPerformed, actor=None, additional={"n": n}) for n in range(6)]
    head = checkpoint_create().head
    assert head.size == 6
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=events[-1].pk).delete()
    return events, head


def test_checkpoint_refuses_to_sign_a_log_shorter_than_the_last_head(truncated):
    with pytest.raises(RuntimeError, match="shorter than the last signed head"):
        checkpoint_create()
    assert AuditHead.objects.count() == 1


def test_inclusion_proof_is_refused_when_leaves_under_the_head_are_missing(truncated):
    events, head = truncated
    with pytest.raises(merkle.ProofError, match=r"leaves 4\.\.6 are not in the log"):
        inclusion_proof_for(events[0].pk, head)


def test_inclusion_proof_is_refused_for_a_tree_size_never_checkpointed(signed_log, db):
    events = [event_record(tag=AuditTag.SearchPerformed, actor=None, additional={"n": n}) for n in range(9)]
    unsigned = AuditHead(size=9)
    with pytest.raises(merkle.ProofError, match="is not checkpointed yet"):
        inclusion_proof_for(events[0].pk, unsigned)
