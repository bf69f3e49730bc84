"""Purging, with a frozen clock: six years after archive, crypto-shred and delete, leave a tombstone."""

import copy
from datetime import date

import pytest
from django.conf import settings

from audit.checkpoints import checkpoint_create, inclusion_proof_for
from audit.merkle import verify_inclusion
from audit.models import AuditEvent, AuditHead
from audit.signing import signing_key, signing_key_create
from audit.tags import AuditTag
from audit.verification import heads_load, log_verify
from children.models import BlockingKeyEntry, Carer, Child, Involvement, RecordStatus
from children.records import InvolvementDetails
from children.services import involvement_record
from lifecycle.models import Archive
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import events, move_to, status_of
from lifecycle.viewing import archived_record_open
from tests.backups import backup_of, decryptable_fields
from tests.personas import make_child
from vault.crypto import DecryptionFailed
from vault.models import DataKey
from vault.sealing import Sealer, note_unseal

ARCHIVED_ON = date(2033, 3, 4)
PURGE_DUE = date(2039, 3, 4)


@pytest.fixture
def archived(world, child, clock):
    """Amelia with an involvement and a data manager's view (a sealed note), archived at 18."""
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails("Alice Example", "Social worker", world.north_social_care.pk, "0300 1"),
    )
    move_to(clock, ARCHIVED_ON)
    lifecycle_run()
    archived = Child.objects.select_related("data_key").get(pk=child.pk)
    archived_record_open(child=archived, by=world.dara, purpose="correction", detail="synthetic note")
    return archived


@pytest.fixture
def signed_log(tmp_path, settings):
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "signing.pem"
    settings.AUDIT_HEAD_EXPORT_DIR = tmp_path / "heads"
    settings.AUDIT_CHECKPOINT_GRACE_SECONDS = 0
    signing_key_create(settings.AUDIT_SIGNING_KEY_FILE)
    return tmp_path


def test_an_archive_is_not_purged_the_day_before_six_years_have_passed(archived, clock):
    move_to(clock, date(2039, 3, 3))
    report = lifecycle_run()
    assert report.purged == 0
    assert status_of(archived) == RecordStatus.ARCHIVED


def test_an_archive_is_purged_six_years_after_it_was_archived(archived, clock):
    move_to(clock, PURGE_DUE)
    report = lifecycle_run()
    assert report.purged == 1
    assert not Child.objects.filter(pk=archived.pk).exists()
    assert not Archive.objects.filter(child_id=archived.pk).exists()
    assert not Carer.objects.filter(child_id=archived.pk).exists()
    assert not Involvement.objects.filter(child_id=archived.pk).exists()
    assert not BlockingKeyEntry.objects.filter(child_id=archived.pk).exists()


def test_a_purge_leaves_no_decryptable_field_of_that_child_even_in_an_earlier_backup(archived, clock):
    backup = backup_of(archived)
    opened, tried = decryptable_fields(backup)
    assert opened == tried > 20  # the backup is a real one: everything opens before the purge
    move_to(clock, PURGE_DUE)
    lifecycle_run()
    assert decryptable_fields(backup) == (0, tried)
    assert DataKey.objects.filter(pk=archived.data_key_id, shredded_at__isnull=True).count() == 0


def test_sealed_notes_left_in_the_audit_log_die_with_the_purge(archived, clock):
    [viewed] = events(AuditTag.ArchivedRecordViewed, archived)
    [archived_event] = events(AuditTag.ChildArchived, archived)
    key = copy.deepcopy(archived.data_key)
    assert note_unseal(key, context="purpose", sealed=viewed.additional["purpose_detail_sealed"])
    move_to(clock, PURGE_DUE)
    lifecycle_run()
    for event, context, field in (
        (viewed, "purpose", "purpose_detail_sealed"),
        (archived_event, "lifecycle", "rule_sealed"),
    ):
        with pytest.raises(DecryptionFailed):
            note_unseal(key, context=context, sealed=event.additional[field])


def test_the_purge_leaves_one_non_personal_tombstone_event(world, archived, clock):
    move_to(clock, PURGE_DUE)
    lifecycle_run()
    [tombstone] = events(AuditTag.ChildPurged, archived)
    assert tombstone.actor is None
    assert tombstone.additional == {"carers_deleted": 1, "involvements_deleted": 1}
    [shredded] = events(AuditTag.ChildShredded, archived)
    assert shredded.id < tombstone.id and shredded.additional["data_keys_destroyed"] == 1


def test_the_audit_log_still_verifies_after_a_purge_and_proves_the_tombstone(archived, clock, signed_log):
    checkpoint_create()
    move_to(clock, PURGE_DUE)
    lifecycle_run()
    head = checkpoint_create().head
    report = log_verify(
        heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key()
    )
    assert report.ok, report.findings
    tombstone = AuditEvent.objects.get(tag=AuditTag.ChildPurged, child_id=archived.pk)
    position, proof = inclusion_proof_for(tombstone.pk, head)
    latest = AuditHead.objects.get(pk=head.pk)
    assert verify_inclusion(
        bytes.fromhex(tombstone.leaf_hash), position, latest.size, proof, bytes.fromhex(latest.root)
    )


def test_a_purge_leaves_other_children_untouched(world, archived, clock):
    other = make_child(world, given_names="Oscar", family_name="Pemberton", date_of_birth=date(2030, 1, 1))
    move_to(clock, PURGE_DUE)
    lifecycle_run()
    fresh = Child.objects.select_related("data_key").get(pk=other.pk)
    assert Sealer(fresh.data_key).unseal(fresh, "family_name") == "Pemberton"
    assert status_of(other) == RecordStatus.ACTIVE
