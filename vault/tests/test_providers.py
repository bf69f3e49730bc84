import json
import os
import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from vault import crypto
from vault.providers import EphemeralKeyProvider, FileKeyProvider, KeyFileError, key_provider


@pytest.fixture
def key_file(tmp_path):
    return tmp_path / "keys" / "vault-keys.json"


def test_a_created_key_file_is_readable_by_its_owner_only(key_file):
    FileKeyProvider.create(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_it_refuses_to_overwrite_a_key_file(key_file):
    FileKeyProvider.create(key_file)
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        FileKeyProvider.create(key_file)


def test_it_refuses_a_missing_key_file(key_file):
    with pytest.raises(KeyFileError, match="missing"):
        FileKeyProvider(key_file)


def test_it_refuses_an_unset_key_file_path():
    with pytest.raises(KeyFileError, match="not set"):
        FileKeyProvider("")


def test_it_refuses_a_key_file_others_can_read(key_file):
    FileKeyProvider.create(key_file)
    os.chmod(key_file, 0o644)
    with pytest.raises(KeyFileError, match="must be mode 0600"):
        FileKeyProvider(key_file)


def test_keys_are_random_and_never_derived_from_the_secret_key(key_file, settings):
    first = FileKeyProvider.create(key_file)
    second = EphemeralKeyProvider()
    assert first.index_key() != second.index_key()
    data = json.loads(key_file.read_text())
    assert settings.SECRET_KEY not in key_file.read_text()
    assert len(data["keks"]) == 1 and data["retired_keks"] == []


def test_no_vault_code_reads_the_secret_key():
    from pathlib import Path

    import vault

    root = Path(vault.__file__).parent
    sources = [p for p in root.rglob("*.py") if "tests" not in p.parts]
    assert sources
    for path in sources:
        code = path.read_text()
        assert "settings.SECRET_KEY" not in code and '"SECRET_KEY"' not in code, path


def test_a_rotation_in_another_process_is_seen_by_this_one(key_file):
    web = FileKeyProvider.create(key_file)
    wrapped = web.wrap(b"k" * 32, key_id="a", version=1)
    operator = FileKeyProvider(key_file)
    assert operator.add_kek() == 2
    rewrapped = operator.wrap(operator.unwrap(wrapped, key_id="a", version=1), key_id="a", version=2)
    assert web.current_kek_version() == 2
    assert web.unwrap(rewrapped, key_id="a", version=2) == b"k" * 32
    operator.retire_kek(1)
    with pytest.raises(crypto.DecryptionFailed, match="not available"):
        web.unwrap(wrapped, key_id="a", version=1)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_revoked_key_stays_revoked_across_processes_until_its_kek_retires(key_file):
    first = FileKeyProvider.create(key_file)
    wrapped = first.wrap(b"k" * 32, key_id="gone", version=1)
    first.revoke([])
    first.revoke(["gone"])
    second = FileKeyProvider(key_file)
    with pytest.raises(crypto.DecryptionFailed, match="shredded"):
        second.unwrap(wrapped, key_id="gone", version=1)
    second.add_kek()
    second.retire_kek(1)
    assert "1" not in json.loads(key_file.read_text())["revoked"]


def test_the_current_kek_cannot_be_retired():
    ring = EphemeralKeyProvider()
    with pytest.raises(KeyFileError, match="current"):
        ring.retire_kek(1)


def test_an_unknown_kek_cannot_be_retired():
    ring = EphemeralKeyProvider()
    ring.add_kek()
    with pytest.raises(KeyFileError, match="not available"):
        ring.retire_kek(7)


def test_a_wrapped_key_only_unwraps_for_its_own_key_id():
    ring = EphemeralKeyProvider()
    wrapped = ring.wrap(b"k" * 32, key_id="a", version=1)
    with pytest.raises(crypto.DecryptionFailed):
        ring.unwrap(wrapped, key_id="b", version=1)


def test_the_configured_file_provider_is_built_from_settings(key_file, settings):
    FileKeyProvider.create(key_file)
    settings.VAULT_KEY_PROVIDER = "vault.providers.FileKeyProvider"
    settings.VAULT_KEY_FILE = str(key_file)
    key_provider.cache_clear()
    assert isinstance(key_provider(), FileKeyProvider)


def test_vault_init_creates_the_key_file(key_file, settings):
    settings.VAULT_KEY_FILE = str(key_file)
    out = StringIO()
    call_command("vault_init", stdout=out)
    assert "mode 0600" in out.getvalue()
    with pytest.raises(CommandError, match="refusing"):
        call_command("vault_init", stdout=out)


def test_vault_init_needs_a_key_file_setting(settings):
    settings.VAULT_KEY_FILE = ""
    with pytest.raises(CommandError, match="not set"):
        call_command("vault_init")


def test_unknown_ciphertext_formats_are_refused():
    key = crypto.new_key()
    with pytest.raises(crypto.DecryptionFailed, match="format"):
        crypto.unseal(b"\x03" + b"\0" * 40, key=key, aad=b"")
    with pytest.raises(crypto.DecryptionFailed, match="format"):
        crypto.unseal(b"\x01short", key=key, aad=b"")
    with pytest.raises(crypto.DecryptionFailed, match="format"):
        crypto.unseal(b"\x02short", key=key, aad=b"")


def test_every_seal_uses_a_fresh_nonce():
    key = crypto.new_key()
    blobs = {crypto.seal(b"same", key=key, aad=b"a")[1:13] for _ in range(200)}
    assert len(blobs) == 200


def test_a_stale_temporary_file_others_can_read_does_not_make_the_key_file_readable(key_file):
    """A change is written to a temporary file beside the key file, then renamed over it. A temporary
    file already there (left by a crash, or planted) with a looser mode must not carry that mode, nor
    a symbolic link its target, into the key file."""
    provider = FileKeyProvider.create(key_file)
    stale = key_file.with_suffix(".tmp")
    stale.write_text("{}")
    os.chmod(stale, 0o644)

    provider.add_kek()

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert FileKeyProvider(key_file).current_kek_version() == 2


def test_a_temporary_file_linked_elsewhere_is_not_written_through(key_file, tmp_path):
    provider = FileKeyProvider.create(key_file)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("")
    os.chmod(elsewhere, 0o644)
    key_file.with_suffix(".tmp").symlink_to(elsewhere)

    provider.add_kek()

    assert elsewhere.stat().st_size == 0  # (the size: a failure must not print the keys written there)
    assert not key_file.is_symlink() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert FileKeyProvider(key_file).current_kek_version() == 2


@pytest.mark.parametrize("content", ['{"keks": ', "{}", "[]", "\udcff"])
def test_a_damaged_key_file_is_refused_by_name_without_quoting_it(key_file, content):
    """Not a JSON decoding error that names neither the file nor what is wrong, and nothing of the
    file's content (key material) in the error or the exception it was raised from."""
    key_file.parent.mkdir(parents=True)
    key_file.write_bytes(content.encode("utf-8", "surrogateescape"))
    os.chmod(key_file, 0o600)

    with pytest.raises(KeyFileError, match=f"vault key file {key_file} is not a valid key file") as caught:
        FileKeyProvider(key_file)

    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_change_to_the_key_file_is_made_durable_with_its_directory(key_file, monkeypatch):
    """A rotation adds a KEK, then commits data keys wrapped under it to the database. The rename that
    puts the new key file in place is itself only durable once its directory is flushed: without that a
    power cut could bring back the key file without the new KEK, and every key re-wrapped under it would
    open no more. (The mechanism is what is shown: which files are flushed to disk.)"""
    provider = FileKeyProvider.create(key_file)
    flushed = []
    real = os.fsync

    def recording(fd):
        flushed.append(os.path.realpath(f"/proc/self/fd/{fd}"))
        return real(fd)

    monkeypatch.setattr(os, "fsync", recording)

    provider.add_kek()

    assert os.path.realpath(key_file.parent) in flushed
