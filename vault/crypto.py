"""AES-256-GCM sealing with random 96-bit nonces and a format byte, so the scheme can evolve.

Two formats, both read:

- 1: `0x01 | nonce | AES-GCM(plaintext)`. The ciphertext is as long as the plaintext (plus 29 bytes), so
  it tells a value whose possible lengths differ (a gender, a sensitive service's kind, whether a date of
  death is recorded) from a copy of the database alone. Still written where the length says nothing: a
  wrapped DEK (always 32 bytes), and a sealed note (`vault.sealing.note_seal`, free text).
- 2: `0x02 | nonce | AES-GCM(plaintext | 0x80 | 0x00...)`: padded to `padded_length` (ISO/IEC 7816-4
  padding, unambiguous for any bytes), with the format byte authenticated too (the AAD given, prefixed
  with it), so a ciphertext relabelled as the other format fails instead of opening to its padding. What
  `seal_many` writes: every sealed field.
"""

import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_V1 = b"\x01"
FORMAT_V2 = b"\x02"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
_FORMATS = frozenset({FORMAT_V1, FORMAT_V2})

# Padding buckets (format 2): every plaintext shorter than SHORTEST_BUCKET bytes seals to one length, so
# a field's few values (and whether it is set) look alike; longer ones grow in steps of STEP bytes, or of
# the largest power of two at most an eighth of their length once that is more, so a long text's length
# is told only roughly and its padding never costs more than an eighth again.
SHORTEST_BUCKET = 64
STEP = 32
_PAD_MARKER = b"\x80"


class DecryptionFailed(Exception):
    """Ciphertext was altered, moved to another row/column, or the key is wrong or destroyed."""


class KeyRevoked(DecryptionFailed):
    """The key provider refuses this data key: a shred revoked it (its database write may not have followed)."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def cipher(key: bytes) -> AESGCM:
    """The AES-GCM cipher of a key, for a caller sealing many fields under it (a child's ~25).

    Setting a cipher up costs more than sealing a short field; the ciphertexts are the same.
    """
    return AESGCM(key)


def _cipher(key: bytes | AESGCM) -> AESGCM:
    return key if isinstance(key, AESGCM) else AESGCM(key)


def padded_length(size: int) -> int:
    """The length a plaintext of `size` bytes is padded to (its padding's marker byte included).

    64 bytes holds any field with few values as JSON: a gender, a sensitive service's kind and basis, a
    flag, a date or its absence, a lead professional's id or none, a former name or none, an
    organisation reference. A bucket is a multiple of 32 up to 512 bytes, then of the power of two
    at most an eighth of the length (Padme-like): a 5,000-byte text pads to a multiple of 512.
    """
    needed = size + len(_PAD_MARKER)
    if needed <= SHORTEST_BUCKET:
        return SHORTEST_BUCKET
    step = max(STEP, 1 << (needed.bit_length() - 4))
    return -(-needed // step) * step


def _padded(plaintext: bytes) -> bytes:
    return plaintext + _PAD_MARKER + bytes(padded_length(len(plaintext)) - len(plaintext) - 1)


def _unpadded(padded: bytes) -> bytes:
    """The plaintext inside format 2's padding: the bytes before the last 0x80 that only zeros follow.

    Read under any bucket scheme (the length is not checked against `padded_length`), so buckets can
    change without a new format. A padding without its marker can only have been written by a holder of
    the key (a bug): refused, like any ciphertext that does not open.
    """
    body = padded.rstrip(b"\x00")
    if body[-1:] != _PAD_MARKER:
        raise DecryptionFailed("malformed padding")
    return body[:-1]


def seal(plaintext: bytes, *, key: bytes | AESGCM, aad: bytes) -> bytes:
    """One value sealed unpadded (format 1): a wrapped DEK (always 32 bytes), a sealed note (free text)."""
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_V1 + nonce + _cipher(key).encrypt(nonce, plaintext, aad)


def seal_many(plaintexts: Sequence[bytes], aads: Sequence[bytes], *, key: bytes | AESGCM) -> list[bytes]:
    """Each (plaintext, aad) pair sealed padded (format 2), a fresh random nonce each: a row's fields.

    The nonces come from one `os.urandom` call for the lot (a row's fields), not one system call per
    field: each is still 96 independent random bits.
    """
    if len(plaintexts) != len(aads):
        raise ValueError("one AAD per plaintext")
    cipher = _cipher(key)
    nonces = os.urandom(NONCE_BYTES * len(plaintexts))
    out = []
    for start, plaintext, aad in zip(range(0, len(nonces), NONCE_BYTES), plaintexts, aads, strict=True):
        nonce = nonces[start : start + NONCE_BYTES]
        out.append(FORMAT_V2 + nonce + cipher.encrypt(nonce, _padded(plaintext), FORMAT_V2 + aad))
    return out


def unseal(blob: bytes, *, key: bytes | AESGCM, aad: bytes) -> bytes:
    """The plaintext of a ciphertext of either format (its padding removed)."""
    blob = bytes(blob)
    version = blob[:1]
    if version not in _FORMATS or len(blob) < 1 + NONCE_BYTES + TAG_BYTES:
        raise DecryptionFailed("unknown ciphertext format")
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        if version == FORMAT_V1:
            return _cipher(key).decrypt(nonce, body, aad)
        padded = _cipher(key).decrypt(nonce, body, FORMAT_V2 + aad)
    except InvalidTag as exc:
        raise DecryptionFailed("authentication failed") from exc
    return _unpadded(padded)
