"""A key file holding only what the vault requires (current KEK, KEKs, index key) can be rotated and retired.

The provider accepts such a file (`revoked` and `retired_keks` "may be added later": a file put together
from a secret store, or written before those were kept). Retiring a KEK appended to `retired_keks`
without adding it first: `rotate_keys --retire` failed with a KeyError after a rotation had finished, the
old KEK was never destroyed, and the process went on believing it was (its copy of the ring had lost the
KEK, the file had not), so a backup's DEKs under it stayed openable.
"""

import base64
import json
import os

import pytest

from vault.crypto import DecryptionFailed, new_key
from vault.providers import FileKeyProvider


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.fixture
def minimal_key_file(tmp_path):
    path = tmp_path / "vault-keys.json"
    path.write_text(
        json.dumps({"current_kek": 1, "keks": {"1": _b64(new_key())}, "index_key": _b64(os.urandom(32))})
    )
    os.chmod(path, 0o600)
    return path


def test_a_kek_of_a_key_file_with_required_keys_only_is_retired_and_stays_retired(minimal_key_file):
    provider = FileKeyProvider(minimal_key_file)
    wrapped = provider.wrap(b"k" * 32, key_id="a", version=1)
    provider.add_kek()

    provider.retire_kek(1)

    stored = json.loads(minimal_key_file.read_text())
    assert "1" not in stored["keks"]
    assert stored["retired_keks"] == [1]
    assert FileKeyProvider(minimal_key_file).kek_versions() == [2]
    with pytest.raises(DecryptionFailed):
        FileKeyProvider(minimal_key_file).unwrap(wrapped, key_id="a", version=1)
