"""AES-256-GCM sealing with random 96-bit nonces and a format byte, so the scheme can evolve."""

import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_V1 = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32


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


def seal(plaintext: bytes, *, key: bytes | AESGCM, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_V1 + nonce + _cipher(key).encrypt(nonce, plaintext, aad)


def seal_many(plaintexts: Sequence[bytes], aads: Sequence[bytes], *, key: bytes | AESGCM) -> list[bytes]:
    """`seal` of each (plaintext, aad) pair: the same format, a fresh random nonce each.

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
        out.append(FORMAT_V1 + nonce + cipher.encrypt(nonce, plaintext, aad))
    return out


def unseal(blob: bytes, *, key: bytes | AESGCM, aad: bytes) -> bytes:
    blob = bytes(blob)
    if blob[:1] != FORMAT_V1 or len(blob) < 1 + NONCE_BYTES + 16:
        raise DecryptionFailed("unknown ciphertext format")
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return _cipher(key).decrypt(nonce, body, aad)
    except InvalidTag as exc:
        raise DecryptionFailed("authentication failed") from exc
