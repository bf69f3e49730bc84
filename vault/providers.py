"""Key providers: a key file outside the database (default) and an in-memory one for tests.

Both keep the same state: KEKs by version, the current version, the blind-index key, and per KEK
version the ids of shredded data keys they must refuse to unwrap. A KMS/HSM provider implements
`vault.interfaces.KeyProvider` instead (see docs/SECURITY.md).
"""

import base64
import fcntl
import json
import os
import re
import stat
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.module_loading import import_string

from vault import crypto
from vault.interfaces import KeyProvider


class KeyFileError(RuntimeError):
    pass


# What every key file holds (`_KeyRing.fresh`); `revoked` and `retired_keks` may be added later.
_REQUIRED = frozenset({"current_kek", "keks", "index_key"})


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def wrap_aad(key_id: str, version: int) -> bytes:
    """Binds a wrapped DEK to its DataKey row and KEK version (the KMS 'encryption context')."""
    return f"cp-dek|{key_id}|{version}".encode()


def _key_length(encoded: object) -> int:
    """How many bytes of key a key file's base64 text holds (0 for anything that is not base64 text)."""
    try:
        return len(base64.b64decode(encoded, validate=True)) if isinstance(encoded, str) else 0
    except ValueError:  # binascii.Error: not base64
        return 0


def _well_formed(data: Any) -> bool:
    """A key file the vault could have written: whole AES-256 KEKs by version, the current one among
    them, and an index key of at least 256 bits.

    Checked at every read, not first used: an empty index key (a file put together from a secret store
    whose value was not set) would otherwise make every blind index an HMAC under a key anyone knows, so
    a copy of the database alone would answer "is Thornton, born 4 March 2015, here?".
    """
    if not isinstance(data, dict) or not data.keys() >= _REQUIRED or not isinstance(data["keks"], dict):
        return False
    keks = data["keks"]
    return (
        bool(keks)
        and all(re.fullmatch(r"[0-9]+", version) for version in keks)
        and all(_key_length(kek) == crypto.KEY_BYTES for kek in keks.values())
        and str(data["current_kek"]) in keks
        and _key_length(data["index_key"]) >= crypto.KEY_BYTES
    )


def _index_key_is_a_kek(data: dict[str, Any]) -> bool:
    """Whether a well-formed key file's index key is one of its KEKs (compared as bytes: base64 text can
    spell the same key two ways).

    The index key must be a secret of its own: one value pasted into both slots lets whoever holds that
    KEK compute every blind index, and retiring the KEK (to make old backups unreadable) would leave the
    same bytes alive as the index key.
    """
    index_key = base64.b64decode(data["index_key"])
    return any(base64.b64decode(kek) == index_key for kek in data["keks"].values())


class _KeyRing:
    """KEKs by version plus the index key; shared by the file and in-memory providers."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._lock = threading.RLock()
        self._load(data)

    def _load(self, data: dict[str, Any]) -> None:
        self._data = data
        self._data.setdefault("revoked", {})
        # A file may lack it (`_REQUIRED`): retiring a KEK appends here, and failed with a KeyError after
        # dropping the KEK from this process's copy only, the file keeping it.
        self._data.setdefault("retired_keks", [])
        self._revoked = {version: set(ids) for version, ids in self._data["revoked"].items()}
        # AES-GCM ciphers of KEKs by their encoded key: setting one up costs more than wrapping a DEK.
        # Looked up through `_data` every time, so a retired or replaced KEK is never used from here.
        self._ciphers: dict[str, AESGCM] = {}

    @staticmethod
    def fresh() -> dict[str, Any]:
        return {
            "format": 1,
            "current_kek": 1,
            "keks": {"1": _b64(crypto.new_key())},
            "retired_keks": [],
            "revoked": {},
            "index_key": _b64(os.urandom(32)),
        }

    def _refresh(self) -> None:
        """In-memory ring: nothing can change it behind our back."""

    @contextmanager
    def _mutating(self) -> Iterator[None]:
        with self._lock:
            self._refresh()
            yield
            self._data["revoked"] = {v: sorted(ids) for v, ids in self._revoked.items()}
            self._ciphers = {}
            self._persist()

    def _persist(self) -> None:
        """In-memory ring: nothing to write."""

    def current_kek_version(self) -> int:
        self._refresh()
        return int(self._data["current_kek"])

    def kek_versions(self) -> list[int]:
        self._refresh()
        return sorted(int(v) for v in self._data["keks"])

    def _kek(self, version: int) -> AESGCM:
        self._refresh()
        try:
            encoded = self._data["keks"][str(version)]
        except KeyError as exc:
            raise crypto.DecryptionFailed(f"KEK version {version} is not available") from exc
        kek = self._ciphers.get(encoded)
        if kek is None:
            kek = self._ciphers[encoded] = crypto.cipher(base64.b64decode(encoded))
        return kek

    def wrap(self, dek: bytes, *, key_id: str, version: int) -> bytes:
        return crypto.seal(dek, key=self._kek(version), aad=wrap_aad(key_id, version))

    def unwrap(self, wrapped: bytes, *, key_id: str, version: int) -> bytes:
        kek = self._kek(version)
        if key_id in self._revoked.get(str(version), ()):
            raise crypto.KeyRevoked(f"data key {key_id} was shredded")
        return crypto.unseal(wrapped, key=kek, aad=wrap_aad(key_id, version))

    def revoke(self, key_ids: Iterable[str]) -> None:
        """Under every KEK version that still exists: a backup may hold the DEK wrapped under any."""
        ids = set(key_ids)
        if not ids:
            return
        with self._mutating():
            for version in self._data["keks"]:
                self._revoked.setdefault(version, set()).update(ids)

    def index_key(self) -> bytes:
        self._refresh()
        return base64.b64decode(self._data["index_key"])

    def add_kek(self) -> int:
        with self._mutating():
            version = max(int(v) for v in self._data["keks"]) + 1
            self._data["keks"][str(version)] = _b64(crypto.new_key())
            self._data["current_kek"] = version
        return version

    def retire_kek(self, version: int) -> None:
        """Destroy the KEK; its revocation list goes too, since nothing under it can be unwrapped now."""
        with self._mutating():
            if version == int(self._data["current_kek"]):
                raise KeyFileError("the current KEK cannot be retired")
            if str(version) not in self._data["keks"]:
                raise KeyFileError(f"KEK version {version} is not available")
            del self._data["keks"][str(version)]
            self._revoked.pop(str(version), None)
            self._data["retired_keks"].append(version)


class EphemeralKeyProvider(_KeyRing):
    """Process-lifetime keys for tests and benchmarks: nothing touches the disk."""

    def __init__(self) -> None:
        super().__init__(self.fresh())


class FileKeyProvider(_KeyRing):
    """Keys in a JSON file that must be readable by its owner only (mode 0600).

    Several processes share the file (web workers, `rotate_keys`), so each re-reads it when it has
    changed and every change is made under an exclusive lock and written atomically.
    """

    def __init__(self, path: Path | str) -> None:
        if not str(path):
            raise KeyFileError("VAULT_KEY_FILE is not set")
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        super().__init__(self._read())

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            raise KeyFileError(f"vault key file {self.path} is missing")
        info = self.path.stat()
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise KeyFileError(f"vault key file {self.path} must be mode 0600, is {oct(mode)}")
        self._stamp = (info.st_mtime_ns, info.st_size)
        try:
            data = json.loads(self.path.read_bytes().decode())
        except ValueError:  # JSON or UTF-8: `from None`, as the error it replaces may quote key material
            data = None
        if not _well_formed(data):
            raise KeyFileError(f"vault key file {self.path} is not a valid key file") from None
        if _index_key_is_a_kek(data):
            raise KeyFileError(
                f"vault key file {self.path}: its index key is one of its KEKs; the index key must be a "
                "secret of its own"
            )
        return data

    def _refresh(self) -> None:
        info = self.path.stat()
        if (info.st_mtime_ns, info.st_size) != self._stamp:
            self._load(self._read())

    @contextmanager
    def _mutating(self) -> Iterator[None]:
        lock_path = self.path.with_suffix(".lock")
        fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with self._lock:
                self._load(self._read())
                with super()._mutating():
                    yield
        finally:
            os.close(fd)

    @classmethod
    def create(cls, path: Path | str) -> "FileKeyProvider":
        path = Path(path)
        if path.exists():
            raise KeyFileError(f"{path} exists; refusing to overwrite keys")
        # Directories made here are the owner's alone (`mkdir -p` would give the parents the umask's mode):
        # whoever can write the directory can replace the key file. One that exists is left as it is.
        for directory in reversed([path.parent, *path.parent.parents]):
            if not directory.exists():
                directory.mkdir(mode=0o700, exist_ok=True)  # another process may make it meanwhile
                # A directory made here is on disk only once its entry in its parent is.
                _fsync_directory(directory.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(cls.fresh(), handle)
            handle.flush()
            os.fsync(handle.fileno())
        # On disk before any key is wrapped under it: keys the database commits next must not outlive it.
        _fsync_directory(path.parent)
        return cls(path)

    def _persist(self) -> None:
        # A new file of our own, mode 0600: one already there (a crash's, or planted) would keep its own
        # mode through the rename, and a symbolic link would have the keys written to its target.
        tmp = self.path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(self._data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        # The rename is durable only once the directory is flushed: a power cut must not bring back a key
        # file without a KEK the database has since committed keys under (or with one since retired).
        _fsync_directory(self.path.parent)
        info = self.path.stat()
        self._stamp = (info.st_mtime_ns, info.st_size)


def _fsync_directory(directory: Path) -> None:
    """Flush a directory's entries (a file created or renamed in it) to disk."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@lru_cache(maxsize=1)
def key_provider() -> KeyProvider:
    """The configured provider: VAULT_KEY_PROVIDER names a class; the file provider needs VAULT_KEY_FILE."""
    dotted = getattr(settings, "VAULT_KEY_PROVIDER", "vault.providers.FileKeyProvider")
    cls = import_string(dotted)
    if cls is FileKeyProvider:
        return FileKeyProvider(getattr(settings, "VAULT_KEY_FILE", ""))
    provider: KeyProvider = cls()
    return provider
