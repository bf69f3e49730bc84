"""How the floor opens what the service sealed: AES-GCM with nothing of the service's code, for a fair floor.

Both formats of `vault.crypto`: 0x01 as sealed (a wrapped DEK), 0x02 padded with its format byte
authenticated (every sealed field since session 39), unpadded here so that the floor pays what the service
pays. Kept apart from the floor's views so that a test can check it against the service's own sealing
without the floor's settings.
"""

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_END = 13  # the format byte, then a 96-bit nonce


def sealed_open(blob: bytes, key: bytes, aad: bytes) -> bytes:
    blob = bytes(blob)
    nonce, body = blob[1:NONCE_END], blob[NONCE_END:]
    if blob[:1] == b"\x01":
        return AESGCM(key).decrypt(nonce, body, aad)
    padded = AESGCM(key).decrypt(nonce, body, blob[:1] + aad)
    return padded.rstrip(b"\x00")[:-1]
