"""Crypto-shredding against a DEK rotation: a shred given a key a rotation has since replaced."""

from io import StringIO

import pytest
from django.core.management import call_command

from children.models import Child
from children.selectors import child_record
from children.shredding import child_shred
from vault.crypto import DecryptionFailed
from vault.keys import data_key_shred
from vault.models import DataKey


def _rotate_deks() -> None:
    call_command("rotate_keys", "--no-progress", "--rotate-deks", stdout=StringIO())


def test_shredding_a_child_loaded_before_a_dek_rotation_destroys_its_new_key_too(world, child):
    """A purge loaded the child (and its key), then `rotate_keys --rotate-deks` gave the child a fresh
    DEK and re-sealed its rows: the shred must destroy the key the record is sealed under now."""
    stale = Child.objects.select_related("data_key").get(pk=child.pk)
    _rotate_deks()

    child_shred(child=stale, by=None)

    assert DataKey.objects.filter(shredded_at__isnull=True).count() == 0
    fresh = Child.objects.select_related("data_key").get(pk=child.pk)
    with pytest.raises(DecryptionFailed):
        child_record(fresh)


def test_shredding_a_superseded_key_counts_the_whole_chain(world, child):
    old = DataKey.objects.get(pk=child.data_key_id)
    _rotate_deks()

    destroyed = data_key_shred(old)

    assert destroyed == 2
    assert DataKey.objects.filter(shredded_at__isnull=True).count() == 0
    old.refresh_from_db()
    assert old.shredded_at is not None and bytes(old.wrapped) == b""
