"""A key file whose keys are not whole random keys is refused at start-up, not used.

`FileKeyProvider` checked that the file was JSON with a current KEK, KEKs and an index key, never what
those held. An empty index key (a key file put together from a secret store whose value was not set)
was used as it was: every blind index was then an HMAC under a key anyone knows, so whoever holds a copy
of the database could compute the digest of "Thornton born 4 March 2015" or of a postcode and an initial,
and find the child's row, the guessing the index key exists to prevent (docs/SECURITY.md, "Blind
indexes"). A short index key, a KEK that is not an AES-256 key, or a current KEK the file does not hold
were taken the same way, failing (or weakening) only later, one request at a time.
"""

import base64
import json
import os

import pytest

from vault.providers import FileKeyProvider, KeyFileError, _KeyRing

GOOD = _KeyRing.fresh()


@pytest.fixture
def key_file(tmp_path):
    return tmp_path / "keys" / "vault-keys.json"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _written(key_file, data) -> None:
    key_file.parent.mkdir(parents=True)
    key_file.write_text(json.dumps(data))
    os.chmod(key_file, 0o600)


@pytest.mark.parametrize(
    "change",
    [
        {"index_key": ""},
        {"index_key": _b64(b"\x00" * 8)},
        {"index_key": "not base64 at all!"},
        {"index_key": 42},
        {"keks": {"1": _b64(os.urandom(16))}},
        {"keks": {"1": ""}},
        {"keks": {"1": "%%%"}},
        {"keks": {}},
        {"keks": [_b64(os.urandom(32))]},
        {"keks": {"one": _b64(os.urandom(32))}, "current_kek": "one"},
        {"current_kek": 2},
        {"current_kek": "one"},
    ],
    ids=[
        "empty index key",
        "short index key",
        "index key not base64",
        "index key not text",
        "aes-128 kek",
        "empty kek",
        "kek not base64",
        "no kek",
        "keks not by version",
        "kek version not a number",
        "current kek missing",
        "current kek not a number",
    ],
)
def test_a_key_file_with_keys_that_are_not_whole_random_keys_is_refused(key_file, change):
    _written(key_file, {**GOOD, **change})

    with pytest.raises(KeyFileError, match=f"vault key file {key_file} is not a valid key file") as caught:
        FileKeyProvider(key_file)

    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert GOOD["index_key"] not in str(caught.value)


def test_a_key_file_changed_to_an_empty_index_key_while_running_is_refused_too(key_file):
    """A worker re-reads the file when it changes (a rotation in another process): the same check."""
    _written(key_file, GOOD)
    provider = FileKeyProvider(key_file)
    assert len(provider.index_key()) == 32
    key_file.write_text(json.dumps({**GOOD, "index_key": "", "pad": "x" * 10}))

    with pytest.raises(KeyFileError, match="is not a valid key file"):
        provider.index_key()


def test_the_key_files_the_vault_writes_are_accepted(key_file):
    provider = FileKeyProvider.create(key_file)
    provider.add_kek()
    provider.revoke(["a-key"])
    provider.retire_kek(1)
    assert FileKeyProvider(key_file).kek_versions() == [2]
