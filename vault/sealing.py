"""Field-level sealing: one personal value per column, bound to its table, column, row and data key.

The AAD makes a ciphertext valid only where it was written: copied into another row, column or table,
or read under another data key, it fails to decrypt instead of showing the wrong child's data.
"""

import base64
import json
from json.encoder import encode_basestring_ascii
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import models

from vault import crypto
from vault.keys import WrappedDataKey, data_key_chain, data_key_open
from vault.models import DataKey

# One encoder for every field: `json.dumps` with these options would build a new one per call.
_JSON = json.JSONEncoder(separators=(",", ":"), default=str)
_CONSTANTS = {None: b"null", True: b"true", False: b"false"}


def field_plaintext(value: Any) -> bytes:
    """`json.dumps(value, separators=(",", ":"), default=str).encode()`, the sealed plaintext, with the
    commonest values (a string, None, a flag) written directly instead of through the encoder."""
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value).encode()
    if kind is bool or value is None:
        return _CONSTANTS[value]
    return _JSON.encode(value).encode()


def field_value(plaintext: bytes) -> Any:
    """`json.loads` of a sealed plaintext, with a plain string (most fields: a name, a date) read directly.

    `field_plaintext` writes a string as ASCII between quotes with every quote, backslash, control and
    non-ASCII character escaped, so a plaintext in quotes with no backslash holds its characters as they
    are. Anything else goes through the JSON decoder (given text, not bytes: no encoding sniffing).
    """
    if plaintext[:1] == b'"' and plaintext[-1:] == b'"' and len(plaintext) > 1 and b"\\" not in plaintext:
        return plaintext[1:-1].decode()
    return json.loads(plaintext.decode())


def field_aad(*, table: str, column: str, row_id: object, key_id: object) -> bytes:
    """The context a field ciphertext is valid in. `key_id` names the exact DEK (its version)."""
    return f"cp-field|{table}|{column}|{row_id}|{key_id}".encode()


def seal_row(
    cipher: AESGCM, *, table: str, row_id: object, key_id: object, values: dict[str, Any]
) -> dict[str, bytes]:
    """The ciphertext of each column of one row: what `Sealer.seal_all` stores, without a model.

    The one place a field is sealed (the `Sealer` and bulk loaders both call it). The AAD is
    `field_aad`'s, built from the row's part once and the column's per field.
    """
    head = f"cp-field|{table}|".encode()
    tail = f"|{row_id}|{key_id}".encode()
    blobs = crypto.seal_many(
        [field_plaintext(value) for value in values.values()],
        [head + column.encode() + tail for column in values],
        key=cipher,
    )
    return dict(zip(values, blobs, strict=True))


class Sealer:
    """Seals and unseals fields of rows that belong to one data key; opens the key once."""

    def __init__(self, key: DataKey | WrappedDataKey, dek: bytes | None = None) -> None:
        self.key = key
        self._cipher = crypto.cipher(dek if dek is not None else data_key_open(key))
        self._key_id = str(key.pk)  # formatted once, not once per field (the same AAD bytes)
        # The last row's id as text: a row's fields are read one after another, its id formatted once.
        self._row_id: tuple[object, str] = (None, "")

    def _aad(self, table: str, row_id: object, column: str) -> bytes:
        if self._row_id[0] is not row_id:
            self._row_id = (row_id, str(row_id))
        return field_aad(table=table, column=column, row_id=self._row_id[1], key_id=self._key_id)

    def seal(self, row: models.Model, column: str, value: Any) -> None:
        """Encrypt a JSON-serialisable value (None included, so absence is not visible) into row.column."""
        self.seal_all(row, {column: value})

    def seal_all(self, row: models.Model, values: dict[str, Any]) -> None:
        sealed = seal_row(
            self._cipher, table=row._meta.db_table, row_id=row.pk, key_id=self.key.pk, values=values
        )
        for column, blob in sealed.items():
            setattr(row, column, blob)

    def unseal(self, row: models.Model, column: str) -> Any:
        return self.unseal_value(getattr(row, column), table=row._meta.db_table, row_id=row.pk, column=column)

    def unseal_value(self, blob: bytes | memoryview, *, table: str, row_id: object, column: str) -> Any:
        """One sealed value read without its model instance (`unseal` for a row fetched as values)."""
        return field_value(crypto.unseal(bytes(blob), key=self._cipher, aad=self._aad(table, row_id, column)))


def note_seal(key: DataKey, *, context: str, text: str) -> str:
    """Seal free text typed about a child (e.g. a purpose) under that child's key, as base64.

    Free text can contain anything, so it never goes anywhere in clear; shredding the child's key
    shreds these notes too.
    """
    dek = data_key_open(key)
    return base64.b64encode(
        crypto.seal(text.encode(), key=dek, aad=f"cp-note|{context}|{key.pk}".encode())
    ).decode()


def _note_open(key: DataKey, context: str, blob: bytes) -> str:
    dek = data_key_open(key)
    return crypto.unseal(blob, key=dek, aad=f"cp-note|{context}|{key.pk}".encode()).decode()


def note_unseal(key: DataKey, *, context: str, sealed: str) -> str:
    """Open a note with the owner's current key, or a key it superseded (notes outlive DEK rotation)."""
    blob = base64.b64decode(sealed)
    try:
        return _note_open(key, context, blob)
    except crypto.DecryptionFailed:
        for older in data_key_chain(key)[1:]:
            try:
                return _note_open(older, context, blob)
            except crypto.DecryptionFailed:
                continue
        raise
