"""The directories `vault_init` creates for the key file are its owner's alone, and the new file is on disk
before anything is wrapped under it.

`FileKeyProvider.create` made missing parent directories with the process's umask: 0777 under umask 0
(usual in containers), 0775 under Debian's 002. The key file itself was 0600, but whoever can write its
directory can replace it (every change to the file is a rename into that directory) or plant files
beside it: for example a key file of their own, so that new data keys are wrapped under a KEK they know.
"""

import os
import stat

import pytest

from vault.providers import FileKeyProvider


@pytest.fixture
def open_umask():
    previous = os.umask(0)
    yield
    os.umask(previous)


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_directories_created_for_a_new_key_file_are_readable_and_writable_by_their_owner_only(
    tmp_path, open_umask
):
    key_file = tmp_path / "var" / "vault" / "vault-keys.json"
    FileKeyProvider.create(key_file)
    assert _mode(tmp_path / "var") == 0o700
    assert _mode(tmp_path / "var" / "vault") == 0o700
    assert _mode(key_file) == 0o600
    FileKeyProvider(key_file).add_kek()  # the file is rewritten through its directory: still usable
    assert _mode(key_file) == 0o600


def test_a_directory_that_already_exists_keeps_its_own_mode(tmp_path, open_umask):
    shared = tmp_path / "etc"
    shared.mkdir(mode=0o755)
    FileKeyProvider.create(shared / "vault-keys.json")
    assert _mode(shared) == 0o755


def test_a_new_key_file_is_on_disk_with_its_directory_entry_before_it_is_used(tmp_path, monkeypatch):
    """`vault_init` wrote the new file and returned without flushing it or its directory: data keys wrapped
    under its KEK are committed to the database at once (a child loaded a moment later), and a power cut
    could then bring back an empty key file, or none, and every one of those children would be lost.
    Changes to the file were flushed with their directory already; its creation was not. (The mechanism
    is what is shown: which files are flushed to disk.)"""
    key_file = tmp_path / "keys" / "vault-keys.json"
    flushed = []
    real = os.fsync

    def recording(fd):
        flushed.append(os.path.realpath(f"/proc/self/fd/{fd}"))
        return real(fd)

    monkeypatch.setattr(os, "fsync", recording)

    FileKeyProvider.create(key_file)

    assert os.path.realpath(key_file) in flushed
    assert os.path.realpath(key_file.parent) in flushed
