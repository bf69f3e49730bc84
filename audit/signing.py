"""The Ed25519 key that signs tree heads: a PEM file outside the database, readable by its owner only.

It is kept apart from the vault's key file on purpose: it protects integrity, not confidentiality, and
is needed only by the checkpoint job; verifiers need only the public key. A missing key fails loudly
(no fallback); `manage.py audit_keygen` makes the development one under var/.
"""

import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


class SigningKeyError(RuntimeError):
    pass


def _key_path() -> Path:
    configured = getattr(settings, "AUDIT_SIGNING_KEY_FILE", None)
    if not configured:
        raise SigningKeyError("AUDIT_SIGNING_KEY_FILE is not set")
    return Path(configured)


def signing_key_create(path: Path | str) -> Ed25519PrivateKey:
    path = Path(path)
    if path.exists():
        raise SigningKeyError(f"{path} exists; refusing to overwrite the audit signing key")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public_path = path.with_suffix(".pub")
    public_path.write_bytes(public_key_pem(key.public_key()))
    return key


def signing_key() -> Ed25519PrivateKey:
    path = _key_path()
    if not path.exists():
        raise SigningKeyError(f"audit signing key {path} is missing: run `manage.py audit_keygen`")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SigningKeyError(f"audit signing key {path} must be mode 0600, is {oct(mode)}")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} is not an Ed25519 private key")
    return key


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_load(path: Path | str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"{path} is not an Ed25519 public key")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signature_valid(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
