"""A key file whose blind-index key is one of its KEKs is refused at start-up, saying why, quoting no key.

The index key must be a secret of its own (docs/SECURITY.md, "Blind indexes"): one value pasted into
both slots of a secret store makes whoever holds the KEK able to compute every blind index, and
retiring that KEK (to kill old backups) would leave the index key, the same bytes, alive. Such a file
was accepted as well formed.
"""

import base64
import json
import os

import pytest

from vault.providers import FileKeyProvider, KeyFileError, _KeyRing


@pytest.fixture
def key_file(tmp_path):
    return tmp_path / "vault-keys.json"


def _written(key_file, data) -> None:
    key_file.write_text(json.dumps(data))
    os.chmod(key_file, 0o600)


def _two_keks() -> dict:
    data = _KeyRing.fresh()
    data["keks"]["2"] = base64.b64encode(os.urandom(32)).decode()
    data["current_kek"] = 2
    return data


def _same_bytes_other_text(encoded: str) -> str:
    """The same 32 bytes in other base64 text: the last character's two unused bits set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(encoded[-2])
    return encoded[:-2] + alphabet[last ^ 0b11] + encoded[-1]


@pytest.mark.parametrize(
    "index_key",
    [
        pytest.param(lambda data: data["keks"]["2"], id="the current kek"),
        pytest.param(lambda data: data["keks"]["1"], id="an older kek"),
        pytest.param(lambda data: _same_bytes_other_text(data["keks"]["2"]), id="a kek written another way"),
    ],
)
def test_a_key_file_whose_index_key_is_one_of_its_keks_is_refused_saying_so_without_quoting_it(
    key_file, index_key
):
    data = _two_keks()
    data["index_key"] = index_key(data)
    assert base64.b64decode(data["index_key"]) in {base64.b64decode(kek) for kek in data["keks"].values()}
    _written(key_file, data)

    with pytest.raises(KeyFileError, match="its index key is one of its KEKs") as caught:
        FileKeyProvider(key_file)

    message = str(caught.value)
    for secret in [data["index_key"], *data["keks"].values()]:
        assert secret not in message
        assert base64.b64decode(secret).hex() not in message
    assert caught.value.__cause__ is None


def test_a_key_file_changed_while_running_to_an_index_key_that_is_a_kek_is_refused_too(key_file):
    data = _two_keks()
    _written(key_file, data)
    provider = FileKeyProvider(key_file)
    assert len(provider.index_key()) == 32
    key_file.write_text(json.dumps({**data, "index_key": data["keks"]["1"], "pad": "x" * 10}))

    with pytest.raises(KeyFileError, match="its index key is one of its KEKs"):
        provider.index_key()


def test_a_key_file_with_an_index_key_of_its_own_is_accepted(key_file):
    _written(key_file, _two_keks())
    assert FileKeyProvider(key_file).kek_versions() == [1, 2]
