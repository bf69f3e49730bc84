"""The signer extends the last head it exported, never a head it reads from the database unchecked.

`checkpoint_create` took the previous head, and so the root the new head must extend, from the
`AuditHead` table. An attacker with database access (not the signer's host or key) could rewrite signed
history consistently (each edited row's leaf recomputed), drop the heads and the subtree cache, and
wait: the next checkpoint signed a fresh head over the rewritten log, with no consistency proof to the
genuine one. `verify_audit` still caught it against the exported heads, but only while every exported
head is kept; a monitor holding only the latest signed head saw a valid signature over a forged history.
Now the anchor is the latest head in AUDIT_HEAD_EXPORT_DIR (the signer's own store), its signature
checked; a database head must carry this signer's signature and reach at least as far as the export.
"""

from pathlib import Path

import pytest

from audit import merkle
from audit.checkpoints import checkpoint_create, head_statement
from audit.ledger import timestamp_text
from audit.models import AuditEvent, AuditHead, AuditSubtree
from audit.services import event_record
from audit.signing import signing_key, signing_key_create
from audit.tags import AuditTag
from audit.tests.tampering import consistent_rewrite, triggers_bypassed
from audit.verification import heads_load, log_verify

pytestmark = pytest.mark.django_db


def _events(count: int, start: int = 0) -> list[AuditEvent]:
    return [
        event_record(tag=AuditTag.LoginSucceeded, actor=None, additional={"n": n})
        for n in range(start, start + count)
    ]


def _verified(settings):
    heads = heads_load(settings.AUDIT_HEAD_EXPORT_DIR)
    return log_verify(heads=heads, public_key=signing_key().public_key())


def test_history_rewritten_with_the_heads_and_cache_dropped_is_never_signed(signed_log, settings):
    first = _events(9)[0]
    genuine = checkpoint_create().head
    with triggers_bypassed():
        consistent_rewrite(first, "additional", {"n": 999})
        AuditHead.objects.all().delete()
        AuditSubtree.objects.all().delete()
    _events(4, start=9)

    with pytest.raises(RuntimeError, match="exported"):
        checkpoint_create()

    [only] = heads_load(settings.AUDIT_HEAD_EXPORT_DIR)
    assert (only.size, only.root) == (genuine.size, genuine.root)


def test_history_rewritten_under_a_forged_database_head_is_never_signed(signed_log, settings):
    first = _events(9)[0]
    genuine = checkpoint_create().head
    with triggers_bypassed():
        consistent_rewrite(first, "additional", {"n": 999})
        AuditSubtree.objects.all().delete()
        AuditHead.objects.all().delete()
        leaves = AuditEvent.objects.order_by("id").values_list("leaf_hash", flat=True)
        forged = AuditHead.objects.create(  # the head the attacker wants extended, over the rewritten log
            size=genuine.size,
            root=merkle.ListTree([bytes.fromhex(leaf) for leaf in leaves]).root().hex(),
            last_event_id=genuine.last_event_id,
            issued_at=genuine.issued_at,
            key_id=genuine.key_id,
            signature="00" * 64,
        )
    assert forged.root != genuine.root
    _events(4, start=9)

    with pytest.raises(RuntimeError, match="not signed by this signer"):
        checkpoint_create()
    assert [h.root for h in heads_load(settings.AUDIT_HEAD_EXPORT_DIR)] == [genuine.root]


def test_a_database_rolled_back_to_an_older_genuine_head_is_never_signed_over(signed_log, settings):
    _events(5)
    older = checkpoint_create().head
    rewritten = _events(4, start=5)[0]
    newer = checkpoint_create().head
    with triggers_bypassed():
        AuditHead.objects.filter(pk=newer.pk).delete()
        consistent_rewrite(rewritten, "additional", {"n": 999})
        AuditSubtree.objects.filter(last_event_id__gte=rewritten.pk).delete()
    _events(3, start=9)

    with pytest.raises(RuntimeError, match="exported"):
        checkpoint_create()
    assert AuditHead.objects.get().pk == older.pk


def test_a_head_signed_but_not_exported_before_a_crash_is_exported_by_the_next_checkpoint(
    signed_log, settings
):
    _events(5)
    checkpoint_create()
    _events(4, start=5)
    lost = checkpoint_create(export=False).head  # committed, then the process died before exporting
    _events(3, start=9)

    latest = checkpoint_create().head

    exported = heads_load(settings.AUDIT_HEAD_EXPORT_DIR)
    assert [h.size for h in exported] == [5, lost.size, latest.size]
    assert exported[1].consistency["from_size"] == 5
    report = _verified(settings)
    assert report.ok, report.findings


def test_an_untouched_log_goes_on_being_signed_and_verified(signed_log, settings):
    for round_ in range(3):
        _events(3, start=3 * round_)
        assert checkpoint_create().created
    assert [h.size for h in heads_load(settings.AUDIT_HEAD_EXPORT_DIR)] == [3, 6, 9]
    assert _verified(settings).ok


def test_heads_exported_under_another_key_stop_signing(signed_log, settings, tmp_path):
    _events(3)
    checkpoint_create()
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "other.pem"
    signing_key_create(settings.AUDIT_SIGNING_KEY_FILE)
    with triggers_bypassed():
        AuditHead.objects.all().delete()
    _events(2, start=3)

    with pytest.raises(RuntimeError, match="latest exported head is not signed by this signer"):
        checkpoint_create()


def test_a_database_holding_heads_none_of_which_was_exported_stops_signing(signed_log, settings):
    _events(3)
    checkpoint_create()
    for path in Path(settings.AUDIT_HEAD_EXPORT_DIR).glob("head-*.json"):
        path.unlink()
    _events(2, start=3)

    with pytest.raises(RuntimeError, match="none is exported"):
        checkpoint_create()


def test_a_database_head_signed_by_this_key_that_does_not_extend_the_export_is_not_exported(
    signed_log, settings
):
    _events(3)
    genuine = checkpoint_create().head
    _events(2, start=3)
    key = signing_key()
    issued_at = genuine.issued_at
    root = "11" * 32  # a tree this log never had, signed by this key (a second signer on a copy)
    statement = head_statement(
        size=5, root=root, last_event_id=genuine.last_event_id + 2, issued_at=timestamp_text(issued_at)
    )
    AuditHead.objects.create(
        size=5,
        root=root,
        last_event_id=genuine.last_event_id + 2,
        issued_at=issued_at,
        key_id=genuine.key_id,
        signature=key.sign(statement).hex(),
    )

    with pytest.raises(RuntimeError, match="does not extend the last exported head"):
        checkpoint_create()
    assert [h.size for h in heads_load(settings.AUDIT_HEAD_EXPORT_DIR)] == [3]
