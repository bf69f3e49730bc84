"""The contract every key provider meets, so a file-based provider and a KMS/HSM share one seam.

The rest of the vault never sees a key-encryption key (KEK): it asks the provider to wrap or unwrap a
data key (DEK) and names the DEK by its id and the KEK version. That is exactly the shape of a cloud
KMS `Encrypt`/`Decrypt` call with an encryption context, or an HSM's wrap/unwrap mechanism, so a KMS
provider is one new class (see docs/SECURITY.md, "Plugging in a KMS or HSM"):

- `wrap`/`unwrap` become remote calls; `key_id` and `version` go into the encryption context (the
  AAD), so a wrapped DEK copied to another DataKey row, or relabelled with another KEK version, fails.
- `add_kek` creates a new key version in the KMS; `retire_kek` schedules its destruction.
- `revoke` records shredded DEK ids the provider must refuse to unwrap from then on (old backups
  still hold the wrapped DEK, under whichever KEK version was current when they were taken). The
  list for a version only lives until that version is retired, after which those wrapped DEKs are
  undecryptable anyway, so it stays small.
- `index_key` is the blind-index HMAC key. A KMS that offers HMAC (e.g. GenerateMac) could compute
  digests remotely; fetching the key once per process is the pragmatic default.

Keys are never derived from Django's SECRET_KEY: a leaked SECRET_KEY must not open the vault.
"""

from collections.abc import Iterable
from typing import Protocol


class KeyProvider(Protocol):
    """Holds KEKs and the blind-index key, outside the database."""

    def current_kek_version(self) -> int:
        """The version new data keys are wrapped under."""
        ...

    def kek_versions(self) -> list[int]:
        """Every version still able to unwrap (current and not yet retired)."""
        ...

    def wrap(self, dek: bytes, *, key_id: str, version: int) -> bytes:
        """Encrypt a DEK under KEK `version`, bound to the DataKey row `key_id`."""
        ...

    def unwrap(self, wrapped: bytes, *, key_id: str, version: int) -> bytes:
        """Decrypt a wrapped DEK; raises `vault.crypto.DecryptionFailed` if retired or moved, and its
        subclass `vault.crypto.KeyRevoked` if revoked (rotation records such a key as shredded)."""
        ...

    def revoke(self, key_ids: Iterable[str]) -> None:
        """Refuse from now on to unwrap these shredded DEKs under any existing KEK version.

        Old backups still hold them, possibly wrapped under a KEK older than the live row's.
        """
        ...

    def index_key(self) -> bytes:
        """The blind-index HMAC key: separate from every KEK, so rotating KEKs keeps indexes valid."""
        ...

    def add_kek(self) -> int:
        """Create a new KEK version, make it current, and return it: a version higher than every earlier one
        (rotation takes keys under an older version than its target as its work, `vault.rotation._pending`)."""
        ...

    def retire_kek(self, version: int) -> None:
        """Destroy a KEK version; callers first prove no live DataKey is wrapped under it."""
        ...
