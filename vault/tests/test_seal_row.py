"""`seal_row` (the one sealing step of the Sealer and the national loader) binds each field exactly as
`field_aad` says, in the one ciphertext format, with a fresh nonce per field."""

import json
import uuid

import pytest

from vault import crypto
from vault.sealing import field_aad, field_plaintext, seal_row

VALUES = {"given_names": "Amelia Rose", "address": {"lines": ["1 Lane"], "postcode": None}, "flag": False}


def test_each_field_opens_under_its_own_aad_to_the_json_the_sealer_always_wrote():
    key, row_id, key_id = crypto.new_key(), uuid.uuid4(), uuid.uuid4()
    sealed = seal_row(crypto.cipher(key), table="children_child", row_id=row_id, key_id=key_id, values=VALUES)
    assert list(sealed) == list(VALUES)
    for column, value in VALUES.items():
        aad = field_aad(table="children_child", column=column, row_id=row_id, key_id=key_id)
        assert aad == f"cp-field|children_child|{column}|{row_id}|{key_id}".encode()
        plaintext = crypto.unseal(sealed[column], key=key, aad=aad)
        assert plaintext == json.dumps(value, separators=(",", ":"), default=str).encode()
        assert sealed[column][:1] == crypto.FORMAT_V1


def test_a_field_moved_to_another_column_or_row_does_not_open():
    key, row_id, key_id = crypto.new_key(), uuid.uuid4(), uuid.uuid4()
    sealed = seal_row(crypto.cipher(key), table="children_child", row_id=row_id, key_id=key_id, values=VALUES)
    blob = sealed["given_names"]
    for aad in (
        field_aad(table="children_child", column="family_name", row_id=row_id, key_id=key_id),
        field_aad(table="children_child", column="given_names", row_id=uuid.uuid4(), key_id=key_id),
        field_aad(table="children_carer", column="given_names", row_id=row_id, key_id=key_id),
    ):
        with pytest.raises(crypto.DecryptionFailed):
            crypto.unseal(blob, key=key, aad=aad)


def test_every_field_gets_its_own_nonce():
    key = crypto.new_key()
    values = {f"c{n}": "same" for n in range(50)}
    sealed = seal_row(crypto.cipher(key), table="t", row_id=1, key_id=2, values=values)
    nonces = {blob[1 : 1 + crypto.NONCE_BYTES] for blob in sealed.values()}
    assert len(nonces) == 50


def test_the_plaintext_of_a_field_is_the_json_it_always_was():
    """Strings, None and flags take a short cut to their JSON: the bytes must be `json.dumps`'s."""
    from datetime import date
    from enum import StrEnum

    class Kind(StrEnum):
        A = "a\u00eb"

    for value in [
        "",
        'O\'Brien-Zo\u00eb "x"\n\\',
        "\U0001f600",
        None,
        True,
        False,
        0,
        7,
        -3,
        2.5,
        Kind.A,
        [1, None, "x"],
        {"a": [True], "b": None},
        date(2015, 3, 4),
        {"d": date(2015, 3, 4)},
    ]:
        assert field_plaintext(value) == json.dumps(value, separators=(",", ":"), default=str).encode(), value


def test_sealing_many_fields_refuses_a_field_without_its_own_aad():
    """Each ciphertext is bound to its own context: a missing AAD must never shift the rest onto others."""
    key = crypto.new_key()
    with pytest.raises(ValueError, match="one AAD per plaintext"):
        crypto.seal_many([b"a", b"b"], [b"context-a"], key=key)
    sealed = crypto.seal_many([b"a", b"b"], [b"context-a", b"context-b"], key=key)
    assert [
        crypto.unseal(blob, key=key, aad=aad)
        for blob, aad in zip(sealed, [b"context-a", b"context-b"], strict=True)
    ] == [
        b"a",
        b"b",
    ]
