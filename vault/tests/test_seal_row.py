"""`seal_row` (the one sealing step of the Sealer and the national loader) binds each field exactly as
`field_aad` says, in the one field ciphertext format (padded), with a fresh nonce per field."""

import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vault import crypto
from vault.sealing import field_aad, field_plaintext, field_value, seal_row

VALUES = {"given_names": "Amelia Rose", "address": {"lines": ["1 Lane"], "postcode": None}, "flag": False}


def test_each_field_opens_under_its_own_aad_to_the_json_the_sealer_always_wrote():
    key, row_id, key_id = crypto.new_key(), uuid.uuid4(), uuid.uuid4()
    sealed = seal_row(crypto.cipher(key), table="children_child", row_id=row_id, key_id=key_id, values=VALUES)
    assert list(sealed) == list(VALUES)
    for column, value in VALUES.items():
        aad = field_aad(table="children_child", column=column, row_id=row_id, key_id=key_id)
        assert aad == f"cp-field|children_child|{column}|{row_id}|{key_id}".encode()
        plaintext = crypto.unseal(sealed[column], key=key, aad=aad)
        # An address is spaced out to a length of its own (`vault.sealing.ADDRESS_LEAST`): the same JSON.
        assert plaintext.rstrip(b" ") == json.dumps(value, separators=(",", ":"), default=str).encode()
        assert field_value(plaintext) == value
        assert sealed[column][:1] == crypto.FORMAT_V2  # padded (test_sealed_lengths.py)


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


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=500, deadline=None)
@given(value=json_values)
def test_a_fields_value_reads_back_as_the_json_decoder_reads_it(value):
    """`field_value` reads a plain string without the JSON decoder: it must give what `json.loads` gives for
    every plaintext the sealer writes (quotes, backslashes, control and non-ASCII characters included)."""
    plaintext = field_plaintext(value)
    assert field_value(plaintext) == json.loads(plaintext) == value


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_a_string_sealed_without_ascii_escapes_still_reads_back(text):
    """A plaintext written by `json.dumps(..., ensure_ascii=False)` (raw UTF-8) reads back the same."""
    plaintext = json.dumps(text, ensure_ascii=False).encode()
    assert field_value(plaintext) == text


def test_the_sealer_reads_each_rows_own_fields_when_rows_alternate():
    """The Sealer keeps the last row's id as text: reading rows in turn must bind each field to its own row."""
    from types import SimpleNamespace

    from vault.sealing import Sealer

    key_row = SimpleNamespace(pk=uuid.uuid4(), shredded_at=None)
    dek = crypto.new_key()
    sealer = Sealer(key_row, dek)
    meta = SimpleNamespace(db_table="children_child")
    rows = [SimpleNamespace(pk=uuid.uuid4(), _meta=meta) for _ in range(3)]
    for n, row in enumerate(rows):
        sealer.seal(row, "family_name", f"Name{n}")
    for _ in range(2):
        for n, row in enumerate(rows):
            assert sealer.unseal(row, "family_name") == f"Name{n}"
    moved = SimpleNamespace(pk=rows[1].pk, _meta=meta, family_name=rows[0].family_name)
    with pytest.raises(crypto.DecryptionFailed):
        sealer.unseal(moved, "family_name")
