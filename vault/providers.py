"""Key providers: a key file outside the database (default) and an in-memory one for tests."""

import base64
import json
import os
import stat
import threading
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from vault import crypto
from vault.interfaces import KeyProvider


class KeyFileError(RuntimeError):
    pass


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


class _KeyRing:
    """KEKs by version plus the index key; shared by the file and in-memory providers."""

    def __init__(self, data: dict) -> None:
        self._data = data
        self._lock = threading.Lock()

    @staticmethod
    def fresh() -> dict:
        return {
            "format": 1,
            "current_kek": 1,
            "keks": {"1": _b64(crypto.new_key())},
            "retired_keks": [],
            "index_key": _b64(os.urandom(32)),
        }

    def current_kek_version(self) -> int:
        return int(self._data["current_kek"])

    def kek_versions(self) -> list[int]:
        return sorted(int(v) for v in self._data["keks"])

    def _kek(self, version: int) -> bytes:
        try:
            return base64.b64decode(self._data["keks"][str(version)])
        except KeyError as exc:
            raise crypto.DecryptionFailed(f"KEK version {version} is not available") from exc

    def wrap(self, dek: bytes, *, version: int, aad: bytes) -> bytes:
        return crypto.seal(dek, key=self._kek(version), aad=aad)

    def unwrap(self, wrapped: bytes, *, version: int, aad: bytes) -> bytes:
        return crypto.unseal(wrapped, key=self._kek(version), aad=aad)

    def index_key(self) -> bytes:
        return base64.b64decode(self._data["index_key"])

    def add_kek(self) -> int:
        with self._lock:
            version = max(self.kek_versions()) + 1
            self._data["keks"][str(version)] = _b64(crypto.new_key())
            self._data["current_kek"] = version
            self._persist()
        return version

    def retire_kek(self, version: int) -> None:
        if version == self.current_kek_version():
            raise KeyFileError("the current KEK cannot be retired")
        with self._lock:
            self._data["keks"].pop(str(version), None)
            self._data["retired_keks"].append(version)
            self._persist()

    def _persist(self) -> None:
        """In-memory ring: nothing to write."""


class EphemeralKeyProvider(_KeyRing):
    """Process-lifetime keys for tests: nothing touches the disk."""

    def __init__(self) -> None:
        super().__init__(self.fresh())


class FileKeyProvider(_KeyRing):
    """Keys in a JSON file that must be readable by its owner only (mode 0600)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise KeyFileError(f"vault key file {self.path} is missing")
        mode = stat.S_IMODE(self.path.stat().st_mode)
        if mode & 0o077:
            raise KeyFileError(f"vault key file {self.path} must be mode 0600, is {oct(mode)}")
        super().__init__(json.loads(self.path.read_text()))

    @classmethod
    def create(cls, path: Path | str) -> "FileKeyProvider":
        path = Path(path)
        if path.exists():
            raise KeyFileError(f"{path} exists; refusing to overwrite keys")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(cls.fresh(), handle)
        return cls(path)

    def _persist(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(self._data, handle)
        os.replace(tmp, self.path)


@lru_cache(maxsize=1)
def key_provider() -> KeyProvider:
    """The configured provider: VAULT_KEY_PROVIDER names a class; the file provider needs VAULT_KEY_FILE."""
    dotted = getattr(settings, "VAULT_KEY_PROVIDER", "vault.providers.FileKeyProvider")
    cls = import_string(dotted)
    if cls is FileKeyProvider:
        return FileKeyProvider(getattr(settings, "VAULT_KEY_FILE", ""))
    provider: KeyProvider = cls()
    return provider
