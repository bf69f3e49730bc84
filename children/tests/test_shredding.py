"""Crypto-shredding: after `child_shred`, no copy of the child's data decrypts, backups included."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import BlockingKeyEntry, Child
from children.records import InvolvementDetails
from children.search import SearchCriteria, child_search_matches
from children.selectors import child_details
from children.services import involvement_record
from children.shredding import child_shred
from tests.backups import backup_of, decryptable_fields
from tests.personas import make_child
from vault.crypto import DecryptionFailed
from vault.models import DataKey
from vault.providers import key_provider
from vault.sealing import note_seal, note_unseal


@pytest.fixture(autouse=True)
def fresh_keys():
    key_provider.cache_clear()
    yield
    key_provider.cache_clear()


@pytest.fixture
def record(world, child):
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails("Alice Example", "Social worker", world.north_social_care.pk, "0300 1"),
    )
    return child


def test_a_backup_taken_before_shredding_decrypts_no_field_after_it(world, record):
    backup = backup_of(record)
    opened, tried = decryptable_fields(backup)
    assert opened == tried > 20  # the backup is a real one: everything opens before the shred

    child_shred(child=record, by=world.dara)

    assert decryptable_fields(backup) == (0, tried)


def test_after_the_next_rotation_the_backup_is_dead_even_to_the_old_kek(world, record):
    backup = backup_of(record)
    child_shred(child=record, by=world.dara)
    call_command("rotate_keys", "--retire", "--no-progress", stdout=StringIO())
    assert key_provider().kek_versions() == [2]
    assert decryptable_fields(backup)[0] == 0


def test_shredding_after_a_dek_rotation_destroys_the_old_key_too(world, record):
    older = backup_of(record)
    note = note_seal(record.data_key, context="purpose", text="synthetic")
    call_command("rotate_keys", "--rotate-deks", "--no-progress", stdout=StringIO())
    record = Child.objects.select_related("data_key").get(pk=record.pk)
    newer = backup_of(record)
    assert len(newer["keys"]) == 2

    child_shred(child=record, by=world.dara)

    assert decryptable_fields(older)[0] == 0
    assert decryptable_fields(newer)[0] == 0
    with pytest.raises(DecryptionFailed):
        note_unseal(record.data_key, context="purpose", sealed=note)
    assert DataKey.objects.filter(shredded_at__isnull=True).count() == 0


def test_it_records_the_shred_and_removes_the_blocking_keys(world, record):
    assert BlockingKeyEntry.objects.filter(child=record).exists()
    child_shred(child=record, by=world.dara)
    event = AuditEvent.objects.get(tag=AuditTag.ChildShredded)
    assert event.child_id == record.pk and event.actor == world.dara
    assert event.additional == {
        "actor_role": "data_manager",
        "data_keys_destroyed": 1,
        "blocking_keys_deleted": event.additional["blocking_keys_deleted"],
    }
    assert event.additional["blocking_keys_deleted"] > 0
    assert not BlockingKeyEntry.objects.filter(child=record).exists()
    criteria = SearchCriteria("Thornton", date_of_birth=date(2015, 3, 4))
    assert child_search_matches(criteria) == []


def test_it_leaves_other_children_readable(world, record):
    other = make_child(world, given_names="Oscar", family_name="Pemberton")
    child_shred(child=record, by=world.dara)
    assert child_details(Child.objects.select_related("data_key").get(pk=other.pk)).family_name == "Pemberton"


def test_shredding_twice_is_harmless(world, record):
    child_shred(child=record, by=world.dara)
    child_shred(child=record, by=world.dara)
    events = AuditEvent.objects.filter(tag=AuditTag.ChildShredded)
    assert [e.additional["data_keys_destroyed"] for e in events] == [1, 0]
