"""A ciphertext is valid only in the row, column and data key it was written for."""

import pytest

from children.models import Carer, Child
from tests.personas import make_child
from vault.crypto import DecryptionFailed
from vault.keys import data_key_open
from vault.models import DataKey
from vault.sealing import Sealer


def _fresh(row):
    return type(row).objects.select_related().get(pk=row.pk)


def _child(pk) -> Child:
    return Child.objects.select_related("data_key").get(pk=pk)


@pytest.fixture
def pair(world):
    return make_child(world), make_child(world, given_names="Oscar", family_name="Pemberton", gender="male")


def test_a_field_copied_into_another_childs_row_fails_to_decrypt(pair):
    first, second = pair
    Child.objects.filter(pk=second.pk).update(family_name=_fresh(first).family_name)
    victim = _child(second.pk)
    with pytest.raises(DecryptionFailed):
        Sealer(victim.data_key).unseal(victim, "family_name")


def test_a_field_copied_into_another_row_with_its_data_key_still_fails(pair):
    first, second = pair
    Child.objects.filter(pk=second.pk).update(family_name=_fresh(first).family_name, data_key=first.data_key)
    victim = _child(second.pk)
    with pytest.raises(DecryptionFailed):
        Sealer(victim.data_key).unseal(victim, "family_name")


def test_a_field_copied_into_another_column_of_the_same_row_fails_to_decrypt(child):
    Child.objects.filter(pk=child.pk).update(family_name=_fresh(child).given_names)
    row = _child(child.pk)
    with pytest.raises(DecryptionFailed):
        Sealer(row.data_key).unseal(row, "family_name")
    assert Sealer(row.data_key).unseal(row, "given_names") == "Amelia"


def test_a_carer_field_copied_to_another_childs_carer_fails_to_decrypt(pair):
    first, second = pair
    source = Carer.objects.get(child=first)
    target = Carer.objects.get(child=second)
    Carer.objects.filter(pk=target.pk).update(name=source.name)
    with pytest.raises(DecryptionFailed):
        Sealer(second.data_key).unseal(Carer.objects.get(pk=target.pk), "name")


def test_a_wrapped_data_key_copied_into_another_key_row_fails_to_unwrap(pair):
    first, second = pair
    DataKey.objects.filter(pk=second.data_key_id).update(
        wrapped=DataKey.objects.get(pk=first.data_key_id).wrapped
    )
    with pytest.raises(DecryptionFailed):
        data_key_open(DataKey.objects.get(pk=second.data_key_id))


def test_a_wrapped_data_key_relabelled_with_another_kek_version_fails(child, fresh_keys):
    fresh_keys.add_kek()
    DataKey.objects.filter(pk=child.data_key_id).update(kek_version=2)
    with pytest.raises(DecryptionFailed):
        data_key_open(DataKey.objects.get(pk=child.data_key_id))


def test_every_sealed_column_of_a_child_is_readable_in_place(child):
    row = _child(child.pk)
    sealer = Sealer(row.data_key)
    values = {column: sealer.unseal(row, column) for column in Child.SEALED}
    assert values["family_name"] == "Thornton"


def test_a_field_sealed_with_a_reused_cipher_opens_with_the_bare_key_and_the_other_way_round():
    from vault import crypto

    key = crypto.new_key()
    reused = crypto.cipher(key)
    assert crypto.unseal(crypto.seal(b"x", key=reused, aad=b"a"), key=key, aad=b"a") == b"x"
    assert crypto.unseal(crypto.seal(b"x", key=key, aad=b"a"), key=reused, aad=b"a") == b"x"
    with pytest.raises(crypto.DecryptionFailed):
        crypto.unseal(crypto.seal(b"x", key=reused, aad=b"a"), key=reused, aad=b"b")
