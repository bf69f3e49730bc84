"""The contract every key provider meets, so a file-based provider and a KMS/HSM share one seam."""

from typing import Protocol


class KeyProvider(Protocol):
    """Holds key-encryption keys (KEKs) and the blind-index key, outside the database.

    A KMS/HSM provider would wrap and unwrap data keys remotely instead of returning KEK bytes;
    `wrap`/`unwrap` are the only operations the rest of the vault calls, so that swap is local.
    """

    def current_kek_version(self) -> int: ...

    def kek_versions(self) -> list[int]: ...

    def wrap(self, dek: bytes, *, version: int, aad: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, *, version: int, aad: bytes) -> bytes: ...

    def index_key(self) -> bytes: ...

    def add_kek(self) -> int: ...

    def retire_kek(self, version: int) -> None: ...
