"""Data-key lifecycle: create, open (unwrap), rewrap under a new KEK, shred."""

from django.utils import timezone

from vault import crypto
from vault.models import DataKey
from vault.providers import key_provider


class KeyShredded(crypto.DecryptionFailed):
    """The data key was destroyed: the data it protected is gone for good."""


def _wrap_aad(key_id: object, kek_version: int) -> bytes:
    return f"cp-dek|{key_id}|{kek_version}".encode()


def data_key_build() -> tuple[DataKey, bytes]:
    """A new unsaved DataKey and its plaintext DEK (so bulk loaders can insert many at once)."""
    provider = key_provider()
    version = provider.current_kek_version()
    key = DataKey(kek_version=version)
    dek = crypto.new_key()
    key.wrapped = provider.wrap(dek, version=version, aad=_wrap_aad(key.id, version))
    return key, dek


def data_key_open(key: DataKey) -> bytes:
    if key.shredded_at is not None or not key.wrapped:
        raise KeyShredded(f"data key {key.id} has been shredded")
    return key_provider().unwrap(
        bytes(key.wrapped), version=key.kek_version, aad=_wrap_aad(key.id, key.kek_version)
    )


def data_key_rewrap(key: DataKey, *, to_version: int) -> None:
    """Re-wrap under another KEK without touching the data it protects."""
    dek = data_key_open(key)
    key.wrapped = key_provider().wrap(dek, version=to_version, aad=_wrap_aad(key.id, to_version))
    key.kek_version = to_version
    key.save(update_fields=["wrapped", "kek_version"])


def data_key_shred(key: DataKey) -> None:
    key.wrapped = b""
    key.shredded_at = timezone.now()
    key.save(update_fields=["wrapped", "shredded_at"])
