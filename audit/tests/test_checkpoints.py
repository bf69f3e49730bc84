"""The append path stores a leaf hash; checkpoints sign incremental heads; proofs come from the store."""

import json
import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit import merkle
from audit.checkpoints import checkpoint_create, consistency_proof_between, inclusion_proof_for
from audit.ledger import entry_leaf_hex
from audit.models import AuditEvent, AuditHead, AuditSubtree
from audit.services import event_record
from audit.signing import SigningKeyError, signing_key, signing_key_create
from audit.tags import AuditTag
from audit.tests.tampering import triggers_bypassed


def _events(world, count):
    return [
        event_record(tag=AuditTag.SearchPerformed, actor=world.alice, additional={"n": n})
        for n in range(count)
    ]


def test_event_record_stores_the_leaf_hash_of_every_column(world):
    event = event_record(tag=AuditTag.LoginSucceeded, actor=world.alice, additional={"b": 1, "a": [2]})
    event.refresh_from_db()
    columns = {
        "occurred_at": event.occurred_at,
        "tag": event.tag,
        "actor_id": event.actor_id,
        "organisation_id": event.organisation_id,
        "child_id": event.child_id,
        "additional": event.additional,
    }
    assert event.leaf_hash == entry_leaf_hex(id=event.pk, **columns)
    assert event.organisation_id == world.alice.organisation_id


def test_checkpoints_are_incremental_and_exported_outside_the_database(signed_log, world, settings):
    AuditEvent.objects.all().delete()
    _events(world, 11)
    first = checkpoint_create()
    assert first.created and first.head.size == 11
    _events(world, 6)
    second = checkpoint_create()
    assert second.head.size == 17
    leaves = [bytes.fromhex(h) for h in AuditEvent.objects.order_by("id").values_list("leaf_hash", flat=True)]
    assert second.head.root == merkle.root_of(leaves).hex()
    assert AuditSubtree.objects.filter(level=2).count() == 4
    exported = json.loads(second.exported_to.read_text())
    assert exported["statement"]["root"] == second.head.root
    assert exported["consistency"]["from_size"] == 11
    assert not checkpoint_create().created


def test_checkpoint_leaves_events_inside_the_grace_period_for_later(signed_log, world, settings):
    settings.AUDIT_CHECKPOINT_GRACE_SECONDS = 300
    AuditEvent.objects.all().delete()
    _events(world, 3)
    head = checkpoint_create(now=timezone.now() + timedelta(seconds=600)).head
    _events(world, 2)
    assert checkpoint_create().head.size == head.size == 3


def test_inclusion_proofs_from_the_store_verify_for_every_event(signed_log, world):
    AuditEvent.objects.all().delete()
    events = _events(world, 13)
    head = checkpoint_create().head
    for position, event in enumerate(events):
        found, proof = inclusion_proof_for(event.pk, head)
        assert found == position
        leaf = bytes.fromhex(event.leaf_hash)
        assert merkle.verify_inclusion(leaf, found, head.size, proof, bytes.fromhex(head.root))
        assert not merkle.verify_inclusion(leaf, found, head.size, proof, bytes.fromhex("00" * 32))


def test_consistency_proofs_from_the_store_link_successive_heads(signed_log, world):
    AuditEvent.objects.all().delete()
    _events(world, 5)
    old = checkpoint_create().head
    _events(world, 9)
    new = checkpoint_create().head
    proof = consistency_proof_between(old, new)
    assert merkle.verify_consistency(
        old.size, new.size, bytes.fromhex(old.root), bytes.fromhex(new.root), proof
    )


def test_checkpoint_refuses_to_sign_when_the_cached_tree_was_tampered_with(signed_log, world):
    AuditEvent.objects.all().delete()
    _events(world, 9)
    checkpoint_create()
    _events(world, 4)
    with triggers_bypassed():
        AuditSubtree.objects.filter(level=3, index=0).update(digest="00" * 32)
    with pytest.raises(RuntimeError, match="does not extend"):
        checkpoint_create()


def test_audit_checkpoint_command_signs_and_reports(signed_log, world, capsys):
    _events(world, 2)
    call_command("audit_checkpoint")
    assert "signed head" in capsys.readouterr().out
    call_command("audit_checkpoint")
    assert "no new events" in capsys.readouterr().out
    assert AuditHead.objects.count() == 1


def test_signing_key_must_exist_be_private_and_never_be_overwritten(tmp_path, settings):
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "missing.pem"
    with pytest.raises(SigningKeyError, match="missing"):
        signing_key()
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "key.pem"
    signing_key_create(settings.AUDIT_SIGNING_KEY_FILE)
    with pytest.raises(SigningKeyError, match="refusing"):
        signing_key_create(settings.AUDIT_SIGNING_KEY_FILE)
    os.chmod(settings.AUDIT_SIGNING_KEY_FILE, 0o644)
    with pytest.raises(SigningKeyError, match="0600"):
        signing_key()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="append-only triggers exist on PostgreSQL only")
@pytest.mark.parametrize("statement", ["UPDATE {t} SET tag = 'x'", "DELETE FROM {t}"])
@pytest.mark.parametrize("table", ["audit_auditevent", "audit_auditsubtree", "audit_audithead"])
def test_postgresql_refuses_to_update_or_delete_audit_rows(signed_log, world, statement, table):
    _events(world, 5)
    checkpoint_create()
    if table != "audit_auditevent":
        statement = statement.replace("tag = 'x'", "last_event_id = 0")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(t=table))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="append-only triggers exist on PostgreSQL only")
def test_postgresql_refuses_orm_deletes_of_audit_events(world):
    event = event_record(tag=AuditTag.LoginFailed, actor=None)
    with pytest.raises(IntegrityError.__mro__[1]), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
