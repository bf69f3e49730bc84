"""`manage.py rotate_keys`: N of N readable after rotation, old KEK gone, resumable, DEK rotation."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from children.models import Carer, Child, Involvement
from children.records import InvolvementDetails
from children.selectors import child_record
from children.services import involvement_record
from tests.personas import make_child
from vault import rotation
from vault.crypto import DecryptionFailed
from vault.keys import data_key_shred
from vault.models import DataKey
from vault.sealing import Sealer, note_seal, note_unseal

N = 7


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", "--no-progress", *args, stdout=out)
    return out.getvalue()


def _children() -> list[Child]:
    return list(Child.objects.select_related("data_key").order_by("index_number"))


def _snapshot() -> list[tuple]:
    """What every child's record says, decrypted (to compare before and after)."""
    views = [child_record(child) for child in _children()]
    return [
        (
            view.details.sealed_values(),
            [c.sealed_values() for c in view.carers],
            [i.details.sealed_values() for i in view.involvements],
        )
        for view in views
    ]


@pytest.fixture
def many(world):
    children = [
        make_child(world, given_names=f"Child{n}", date_of_birth=date(2014, 1, n + 1)) for n in range(N)
    ]
    involvement_record(
        child=children[0],
        by=world.alice,
        details=InvolvementDetails("Alice Example", "Social worker", world.north_social_care.pk, "0300 1"),
    )
    return children


def test_every_row_is_readable_after_rotation_and_the_old_kek_is_gone(many, fresh_keys):
    before = _snapshot()
    old_wrapped = {k.pk: bytes(k.wrapped) for k in DataKey.objects.all()}

    output = _rotate("--batch-size", "3", "--retire")

    assert "Started rotation to KEK v2: 7 data keys" in output
    assert "Retired KEKs: v1." in output
    assert set(DataKey.objects.values_list("kek_version", flat=True)) == {2}
    assert _snapshot() == before  # N of N readable, unchanged
    assert fresh_keys.kek_versions() == [2]
    for key_id, wrapped in old_wrapped.items():
        with pytest.raises(DecryptionFailed):
            fresh_keys.unwrap(wrapped, key_id=str(key_id), version=1)


def test_an_interrupted_rotation_resumes_without_a_new_kek(many, fresh_keys):
    before = _snapshot()
    target, started = rotation.rotation_start()
    assert (target, started) == (2, True)
    assert rotation.rotation_batch(target=target, size=3).rewrapped == 3
    # ...the process dies here; an operator runs the command again.

    output = _rotate("--batch-size", "2")

    assert "Resuming rotation to KEK v2: 4 data keys" in output
    assert fresh_keys.kek_versions() == [1, 2]  # not retired without --retire
    assert rotation.rotation_pending(2) == 0
    assert _snapshot() == before


def test_rotating_again_starts_a_new_kek(many, fresh_keys):
    _rotate("--retire")
    output = _rotate("--retire")
    assert "Started rotation to KEK v3" in output
    assert fresh_keys.kek_versions() == [3]


def test_an_old_kek_is_kept_while_any_live_key_uses_it(many, fresh_keys):
    fresh_keys.add_kek()
    assert rotation.keks_retire_unused() == []
    assert fresh_keys.kek_versions() == [1, 2]


def test_a_shredded_key_does_not_hold_back_retirement(many, fresh_keys):
    data_key_shred(many[0].data_key)
    output = _rotate("--retire")
    assert "6 data keys" in output
    assert fresh_keys.kek_versions() == [2]


def test_dek_rotation_re_seals_every_row_under_a_fresh_key(many, fresh_keys):
    child = many[0]
    note = note_seal(child.data_key, context="purpose", text="synthetic note")
    old_key = child.data_key
    old_row = Child.objects.get(pk=child.pk)
    old_carer = Carer.objects.get(child=child)
    before = _snapshot()

    output = _rotate("--rotate-deks", "--batch-size", "4")

    assert "7 DEKs replaced" in output
    assert _snapshot() == before
    current = Child.objects.select_related("data_key").get(pk=child.pk)
    assert current.data_key_id != old_key.pk
    assert bytes(current.family_name) != bytes(old_row.family_name)
    old_key.refresh_from_db()
    assert old_key.superseded_by_id == current.data_key_id and old_key.kek_version == 2
    # Old ciphertexts (say, from a backup) do not open under the new key...
    with pytest.raises(DecryptionFailed):
        Sealer(current.data_key).unseal(old_row, "family_name")
    with pytest.raises(DecryptionFailed):
        Sealer(current.data_key).unseal(old_carer, "name")
    # ...while notes sealed in the append-only audit log still do, through the chain.
    assert note_unseal(current.data_key, context="purpose", sealed=note) == "synthetic note"
    assert Involvement.objects.filter(child=child).count() == 1
    assert _rotate("--retire").count("Retired KEKs: v1, v2.") == 1


def test_dek_rotation_leaves_a_key_without_rows_rewrapped_only(world, fresh_keys):
    from vault.keys import data_key_build

    orphan, _ = data_key_build()
    orphan.save()
    _rotate("--rotate-deks")
    orphan.refresh_from_db()
    assert orphan.kek_version == 2 and orphan.superseded_by_id is None


def test_a_note_that_no_key_of_the_owner_opens_fails(world, child, fresh_keys):
    other = make_child(world, given_names="Other")
    _rotate("--rotate-deks")
    child.refresh_from_db()
    note = note_seal(other.data_key, context="purpose", text="x")
    with pytest.raises(DecryptionFailed):
        note_unseal(child.data_key, context="purpose", sealed=note)


def test_dek_rotation_leaves_a_never_written_column_empty(many):
    involvement = Involvement.objects.get(child=many[0])
    Involvement.objects.filter(pk=involvement.pk).update(ended_on=b"")
    _rotate("--rotate-deks")
    involvement.refresh_from_db()
    assert bytes(involvement.ended_on) == b""
    current = Child.objects.select_related("data_key").get(pk=many[0].pk)
    assert Sealer(current.data_key).unseal(involvement, "role") == "Social worker"


@pytest.mark.parametrize("size", ["0", "-5"])
def test_a_batch_size_below_one_is_refused_before_anything_starts(world, size):
    from django.core.management.base import CommandError

    make_child(world)
    kek_before = set(DataKey.objects.values_list("kek_version", flat=True))
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        _rotate("--batch-size", size)
    assert set(DataKey.objects.values_list("kek_version", flat=True)) == kek_before
