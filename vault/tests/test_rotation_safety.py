"""Rotation against a half-finished shred and against a write in flight (docs/SECURITY.md, rotate_keys)."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from children import services as child_services
from children.models import Child
from children.selectors import child_record
from tests.personas import make_child
from vault.crypto import DecryptionFailed
from vault.keys import data_key_build, data_key_open
from vault.models import DataKey


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", "--no-progress", *args, stdout=out)
    return out.getvalue()


def test_rotation_completes_when_a_shred_revoked_a_key_but_its_database_write_failed(world, fresh_keys):
    """A shred revokes in the provider first; if its database write fails the key is shredded in effect.
    Rotation finishes the other keys, records that one as shredded and says so, and can retire v1."""
    children = [
        make_child(world, given_names=f"Child{n}", date_of_birth=date(2014, 1, n + 1)) for n in range(3)
    ]
    victim = children[1]
    fresh_keys.revoke([str(victim.data_key_id)])  # the shred's first step; its database write then failed

    output = _rotate("--batch-size", "2", "--retire")

    others = [c for c in children if c.pk != victim.pk]
    assert "Re-wrapped 2 data keys under KEK v2" in output
    assert "1 data key the key provider had revoked (a shred not finished) recorded as shredded" in output
    assert "Retired KEKs: v1." in output
    assert set(
        DataKey.objects.filter(pk__in=[c.data_key_id for c in others]).values_list("kek_version", flat=True)
    ) == {2}
    shredded = DataKey.objects.get(pk=victim.data_key_id)
    assert shredded.shredded_at is not None and bytes(shredded.wrapped) == b""
    assert [
        child_record(Child.objects.select_related("data_key").get(pk=c.pk)).details.given_names
        for c in others
    ] == [
        "Child0",
        "Child2",
    ]


def test_rotation_reports_a_key_it_cannot_open_and_keeps_its_kek(world, fresh_keys):
    """A wrapped key that fails to open for another reason (damaged bytes) is left as it is, named in the
    report, and its KEK is kept: nothing is destroyed that might still be repaired from a backup."""
    make_child(world, given_names="Readable")
    damaged, _ = data_key_build()
    wrapped = bytes(damaged.wrapped)
    # Flip the last byte: setting it to 0 left the key intact whenever it already was 0 (1 run in 256).
    damaged.wrapped = wrapped[:-1] + bytes([wrapped[-1] ^ 0xFF])
    damaged.save()

    output = _rotate("--retire")

    assert "Re-wrapped 1 data keys under KEK v2" in output
    assert f"1 data key could not be opened and was left under its old KEK: {damaged.pk}" in output
    assert "Kept KEKs: v1 (1 live data key still wrapped under it)." in output
    assert fresh_keys.kek_versions() == [1, 2]


def test_a_child_created_while_rotate_keys_retire_runs_stays_readable(world, monkeypatch, fresh_keys):
    """child_create wraps the new DEK before its transaction; `rotate_keys --retire` (another process) runs
    in between and destroys v1, which no committed key used. The insert re-wraps under the current KEK."""
    make_child(world, given_names="Existing")
    real = child_services.data_key_new
    outputs = []

    def wrapped_then_rotation_runs():
        key = real()
        outputs.append(_rotate("--retire"))  # the operator's rotation, between wrap and save
        return key

    monkeypatch.setattr(child_services, "data_key_new", wrapped_then_rotation_runs)
    child = make_child(world, given_names="Newborn", family_name="Ashworth")
    monkeypatch.setattr(child_services, "data_key_new", real)

    assert "Retired KEKs: v1." in outputs[0] and fresh_keys.kek_versions() == [2]
    row = Child.objects.select_related("data_key").get(pk=child.pk)
    assert row.data_key.kek_version == 2
    data_key_open(row.data_key)
    view = child_record(row)
    assert (view.details.given_names, view.details.family_name) == ("Newborn", "Ashworth")


def test_a_key_saved_under_a_retired_kek_without_its_dek_is_refused_not_stored(world, fresh_keys):
    """A DataKey row whose KEK is gone and whose DEK the caller no longer holds cannot be made readable:
    the insert fails (nothing is saved) rather than storing a key that opens nothing."""
    key, _ = data_key_build()
    stale = DataKey(id=key.id, kek_version=key.kek_version, wrapped=key.wrapped)  # the DEK not carried
    fresh_keys.add_kek()
    fresh_keys.retire_kek(1)
    with pytest.raises(DecryptionFailed):
        stale.save()
    assert not DataKey.objects.filter(pk=key.pk).exists()


def test_a_key_wrapped_under_a_superseded_kek_is_saved_under_the_current_one(world, fresh_keys):
    key, dek = data_key_build()
    fresh_keys.add_kek()
    key.save()
    stored = DataKey.objects.get(pk=key.pk)
    assert stored.kek_version == 2 and data_key_open(stored) == dek


def test_an_involvement_recorded_across_a_dek_rotation_stays_readable(world):
    """A request that loaded the child (and its data key) before `--rotate-deks` re-keyed it seals its
    involvement under the superseded DEK; the record must still open, with the involvement in it."""
    from children.records import InvolvementDetails
    from children.services import involvement_record

    make_child(world)
    loaded = Child.objects.select_related("data_key").get()
    _rotate("--rotate-deks")
    involvement_record(
        child=loaded,
        by=world.alice,
        details=InvolvementDetails("Alice Example", "Social worker", world.north_social_care.pk, "0300 1"),
    )
    view = child_record(Child.objects.select_related("data_key").get())
    assert [i.details.practitioner_name for i in view.involvements] == ["Alice Example"]


def test_a_row_read_before_a_dek_rotation_and_saved_whole_moves_to_the_new_key(world):
    """A write that read the child before `--rotate-deks` and saves the whole row (every column as it read
    them, the key reference too) must not put the superseded key and its ciphertexts back: the sealer
    carries the row's other columns and its key reference over to the child's new key."""
    from django.db import transaction

    from vault.sealing import Sealer

    make_child(world, given_names="Whole", family_name="Row")
    stale = Child.objects.select_related("data_key").get()
    loaded_key = stale.data_key_id
    _rotate("--rotate-deks")
    with transaction.atomic():
        Sealer(stale.data_key).seal(stale, "caf_completed", True)
        stale.save()
    stored = Child.objects.select_related("data_key").get()
    assert stored.data_key_id != loaded_key and stored.data_key.superseded_by_id is None
    assert DataKey.objects.get(superseded_by=stored.data_key_id).pk == loaded_key
    details = child_record(stored).details
    assert (details.given_names, details.family_name, details.caf_completed) == ("Whole", "Row", True)


def test_a_value_sealed_outside_the_writing_transaction_is_refused(world):
    """Locking the key means nothing once its transaction has ended: a write sealing before its own
    `atomic()` (a test case's wrapping transaction does not count) is a programming error, caught here."""
    from django.db import transaction

    from children.models import Involvement
    from vault.keys import SealedOutsideTransaction
    from vault.sealing import Sealer

    child = make_child(world)
    with pytest.raises(SealedOutsideTransaction):
        Sealer(child.data_key).seal(Involvement(child=child, recorded_by=world.alice), "phone", "0300 1")
    with transaction.atomic():
        row = Involvement(child=child, recorded_by=world.alice)
        Sealer(child.data_key).seal(row, "phone", "0300 1")
    assert Sealer(child.data_key).unseal(row, "phone") == "0300 1"


def test_a_sealer_of_a_child_read_before_a_dek_rotation_reads_what_the_rotation_re_sealed_too(world):
    """A request that read the child before `--rotate-deks` then reads its involvements (re-sealed under
    the new key meanwhile): its sealer looks forward once, and still opens what it read before."""
    from children.records import InvolvementDetails
    from children.services import involvement_record
    from vault.sealing import Sealer

    child = make_child(world, given_names="Read", family_name="Across")
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails("Dee Reader", "Social worker", world.north_social_care.pk, "0300 1"),
    )
    stale = Child.objects.select_related("data_key").get()
    _rotate("--rotate-deks")
    sealer = Sealer(stale.data_key)
    row = stale.involvements.get()
    assert sealer.unseal(row, "practitioner_name") == "Dee Reader"  # re-sealed under the new key
    assert sealer.unseal(stale, "family_name") == "Across"  # as read, under the old one
    assert sealer.key.pk == Child.objects.get().data_key_id


def test_a_replaced_sealer_leaves_a_row_read_after_the_rotation_as_it_is(world):
    """The stale sealer writing into a row read after the rotation: that row's key reference and columns
    are already the new key's, so only the written column changes."""
    from django.db import transaction

    from vault.sealing import Sealer

    make_child(world, given_names="Fresh", family_name="Row")
    stale = Child.objects.select_related("data_key").get()
    _rotate("--rotate-deks")
    fresh = Child.objects.get()
    with transaction.atomic():
        Sealer(stale.data_key).seal(fresh, "caf_completed", True)
        fresh.save()
    stored = Child.objects.select_related("data_key").get()
    assert stored.data_key_id == fresh.data_key_id != stale.data_key_id
    details = child_record(stored).details
    assert (details.given_names, details.family_name, details.caf_completed) == ("Fresh", "Row", True)


def test_a_row_that_does_not_open_leaves_its_owner_on_its_dek_and_stops_no_rotation(world, fresh_keys):
    """One sealed field that no longer opens under its owner's key (damaged, or copied in from another
    child by someone with database access) must not halt `--rotate-deks` for everyone: the batch would
    roll back and every re-run stop at the same key, so old KEKs could never be retired (and a shredded
    child's backup stay open to them). The owner keeps its DEK, re-wrapped under the new KEK, and is
    reported by key id; every other child gets a fresh DEK; the old KEK retires."""
    children = [
        make_child(world, given_names=f"Child{n}", date_of_birth=date(2014, 1, n + 1)) for n in range(3)
    ]
    damaged, donor = children[1], children[2]
    Child.objects.filter(pk=damaged.pk).update(family_name=Child.objects.get(pk=donor.pk).family_name)
    untouched = bytes(Child.objects.get(pk=damaged.pk).given_names)

    output = _rotate("--rotate-deks", "--batch-size", "2", "--retire")

    assert "2 DEKs replaced" in output
    assert f"1 data key kept its DEK, as a row sealed under it does not open: {damaged.data_key_id}" in output
    assert "Retired KEKs: v1." in output
    kept = DataKey.objects.get(pk=damaged.data_key_id)
    assert (kept.kek_version, kept.superseded_by_id) == (2, None)
    assert bytes(Child.objects.get(pk=damaged.pk).given_names) == untouched
    for n in (0, 2):
        row = Child.objects.select_related("data_key").get(pk=children[n].pk)
        assert row.data_key_id != children[n].data_key_id
        assert child_record(row).details.given_names == f"Child{n}"
