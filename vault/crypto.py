"""AES-256-GCM sealing with random 96-bit nonces and a format byte, so the scheme can evolve."""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_V1 = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionFailed(Exception):
    """Ciphertext was altered, moved to another row/column, or the key is wrong or destroyed."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(plaintext: bytes, *, key: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_V1 + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(blob: bytes, *, key: bytes, aad: bytes) -> bytes:
    blob = bytes(blob)
    if blob[:1] != FORMAT_V1 or len(blob) < 1 + NONCE_BYTES + 16:
        raise DecryptionFailed("unknown ciphertext format")
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, aad)
    except InvalidTag as exc:
        raise DecryptionFailed("authentication failed") from exc
