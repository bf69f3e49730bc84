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
from vault.keys import WrappedDataKey, data_key_chain, data_key_current, data_key_for_write, data_key_open
from vault.models import DataKey, SealedField

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


# An address's plaintext is spaced out (JSON allows trailing whitespace) to at least this many bytes before
# its bucket (`vault.crypto.padded_length`): "no known address" and "left England" are short, a known
# address longer, so by the length alone a dump told which children have no known address. 255 bytes puts
# nearly every address in the 256-byte bucket.
ADDRESS_LEAST = 255


def _at_least(column: str, plaintext: bytes) -> bytes:
    return plaintext.ljust(ADDRESS_LEAST) if column == "address" else plaintext


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
        [_at_least(column, field_plaintext(value)) for column, value in values.items()],
        [head + column.encode() + tail for column in values],
        key=cipher,
    )
    return dict(zip(values, blobs, strict=True))


# A key a sealer was given and has since replaced with its successor, with that key's cipher.
_Replaced = tuple[DataKey | WrappedDataKey, AESGCM]


def _unseal_under(
    replaced: _Replaced, blob: bytes | memoryview, *, table: str, row_id: object, column: str
) -> Any:
    """A value sealed under the key a sealer was given, before it moved to the key's replacement."""
    old_key, old_cipher = replaced
    aad = field_aad(table=table, column=column, row_id=row_id, key_id=old_key.pk)
    return field_value(crypto.unseal(bytes(blob), key=old_cipher, aad=aad))


class Sealer:
    """Seals and unseals fields of rows that belong to one data key; opens the key once.

    The first seal locks the key and moves to the one now in use (`data_key_for_write`): if a DEK
    rotation replaced the key since it was loaded, the rows this sealer writes are sealed under the new
    key, their other sealed columns (read under the old one) re-sealed with them, and an owner's key
    reference moved, so a row saved whole is still whole. A read that fails under the key as loaded
    looks once for a replacement the same way (without a lock: it writes nothing), so a row the
    rotation re-sealed since opens too; values read under the old key still open under it.
    """

    def __init__(self, key: DataKey | WrappedDataKey, dek: bytes | None = None) -> None:
        self.key = key
        self._cipher = crypto.cipher(dek if dek is not None else data_key_open(key))
        self._key_id = str(key.pk)  # formatted once, not once per field (the same AAD bytes)
        # The last row's id as text: a row's fields are read one after another, its id formatted once.
        self._row_id: tuple[object, str] = (None, "")
        self._writing = False  # the key has been locked and followed for writing
        self._looked_forward = False  # a failed read has looked for a replacement key
        self._replaced: _Replaced | None = None  # the key as loaded, if a write or read replaced it

    def _aad(self, table: str, row_id: object, column: str) -> bytes:
        if self._row_id[0] is not row_id:
            self._row_id = (row_id, str(row_id))
        return field_aad(table=table, column=column, row_id=self._row_id[1], key_id=self._key_id)

    def seal(self, row: models.Model, column: str, value: Any) -> None:
        """Encrypt a JSON-serialisable value (None included, so absence is not visible) into row.column."""
        self.seal_all(row, {column: value})

    def seal_all(self, row: models.Model, values: dict[str, Any]) -> None:
        if not self._writing:
            self._follow_for_writing()
        if self._replaced is not None:
            self._carry_over(row, writing=values.keys(), replaced=self._replaced)
        sealed = seal_row(
            self._cipher, table=row._meta.db_table, row_id=row.pk, key_id=self.key.pk, values=values
        )
        for column, blob in sealed.items():
            setattr(row, column, blob)

    def _follow_for_writing(self) -> None:
        """Lock the key for this transaction and take the one now in use (a key not yet saved is ours)."""
        self._writing = True
        if not self._saved_key():
            return
        current = data_key_for_write(self.key)
        if current.pk != self.key.pk:
            self._replace_with(current)

    def _saved_key(self) -> bool:
        """A key another transaction can replace: not one being created, nor a migration's historical
        model (a migration runs before any writer), nor a test's stand-in."""
        if isinstance(self.key, DataKey):
            return not self.key._state.adding
        return isinstance(self.key, WrappedDataKey)

    def _replace_with(self, current: DataKey) -> None:
        self._replaced = (self.key, self._cipher)
        self.key, self._cipher, self._key_id = current, crypto.cipher(data_key_open(current)), str(current.pk)

    def _carry_over(self, row: models.Model, *, writing: Any, replaced: "_Replaced") -> None:
        """Move a row read under the replaced key to the current one: columns not being written, and the
        row's own key reference (an owner's). A column that does not open under the old key is already
        under the new one (the row was read after the rotation) and is left as it is."""
        old_key = replaced[0]
        for field in row._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is DataKey:
                if getattr(row, field.attname) == old_key.pk:
                    setattr(row, field.name, self.key)
            elif isinstance(field, SealedField) and field.name not in writing and getattr(row, field.attname):
                try:
                    value = _unseal_under(
                        replaced,
                        getattr(row, field.attname),
                        table=row._meta.db_table,
                        row_id=row.pk,
                        column=field.name,
                    )
                except crypto.DecryptionFailed:
                    continue
                setattr(row, field.attname, self._seal_one(row, field.name, value))

    def _seal_one(self, row: models.Model, column: str, value: Any) -> bytes:
        return seal_row(
            self._cipher, table=row._meta.db_table, row_id=row.pk, key_id=self.key.pk, values={column: value}
        )[column]

    def unseal(self, row: models.Model, column: str) -> Any:
        return self.unseal_value(getattr(row, column), table=row._meta.db_table, row_id=row.pk, column=column)

    def unseal_value(self, blob: bytes | memoryview, *, table: str, row_id: object, column: str) -> Any:
        """One sealed value read without its model instance (`unseal` for a row fetched as values).

        After a write moved this sealer to a replacement key, a value read before (under the key as
        loaded) still opens under that one.
        """
        try:
            return self._unseal_current(blob, table=table, row_id=row_id, column=column)
        except crypto.DecryptionFailed:
            if self._replaced is not None:  # read under the key as loaded, before it was replaced
                return _unseal_under(self._replaced, blob, table=table, row_id=row_id, column=column)
            if self._looked_forward or not self._saved_key():
                raise
            self._looked_forward = True
            current = data_key_current(self.key)
            if current.pk == self.key.pk:
                raise  # not a rotation: a value moved, altered or under a shredded key
            self._replace_with(current)
        return self._unseal_current(blob, table=table, row_id=row_id, column=column)

    def _unseal_current(self, blob: bytes | memoryview, *, table: str, row_id: object, column: str) -> Any:
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
