"""The tree-head signing key: configured or a loud failure, Ed25519 only, its public half beside it."""

import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from audit.signing import (
    SigningKeyError,
    key_id,
    public_key_load,
    signature_valid,
    signing_key,
    signing_key_create,
)


def _write_private(path, pem):
    path.write_bytes(pem)
    path.chmod(0o600)


def test_it_fails_loudly_when_no_signing_key_file_is_configured(settings):
    settings.AUDIT_SIGNING_KEY_FILE = None
    with pytest.raises(SigningKeyError, match="AUDIT_SIGNING_KEY_FILE is not set"):
        signing_key()


def test_a_new_key_is_owner_only_and_its_public_half_is_written_beside_it(tmp_path, settings):
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "keys" / "signing.pem"
    created = signing_key_create(settings.AUDIT_SIGNING_KEY_FILE)
    assert stat.S_IMODE(settings.AUDIT_SIGNING_KEY_FILE.stat().st_mode) == 0o600
    published = public_key_load(tmp_path / "keys" / "signing.pub")
    assert key_id(published) == key_id(created.public_key()) == key_id(signing_key().public_key())


def test_it_refuses_a_private_key_that_is_not_ed25519(tmp_path, settings):
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "ecdsa.pem"
    other = ec.generate_private_key(ec.SECP256R1())
    _write_private(
        settings.AUDIT_SIGNING_KEY_FILE,
        other.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    with pytest.raises(SigningKeyError, match="not an Ed25519 private key"):
        signing_key()


def test_it_refuses_a_pinned_public_key_that_is_not_ed25519(tmp_path):
    path = tmp_path / "ecdsa.pub"
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(SigningKeyError, match="not an Ed25519 public key"):
        public_key_load(path)


def test_a_signature_is_valid_only_for_the_message_and_key_that_made_it(tmp_path):
    key = signing_key_create(tmp_path / "a.pem")
    other = signing_key_create(tmp_path / "b.pem")
    signature = key.sign(b"size=5")
    assert signature_valid(key.public_key(), signature, b"size=5")
    assert not signature_valid(key.public_key(), signature, b"size=6")
    assert not signature_valid(other.public_key(), signature, b"size=5")
