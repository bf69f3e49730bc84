"""Directories `vault_init` makes for a new key file are on disk too before any key is wrapped under it.

Session 31 flushed the new file and the directory holding it, but a directory made for it exists only
once its own entry, in its parent, is flushed: after a power cut the file system could come back without
the directory made a moment before (so without the key file in it) while the database had committed data
keys wrapped under the file's KEK. (The mechanism is what is shown: which directories are flushed.)
"""

import os

from vault.providers import FileKeyProvider


def _flushes(monkeypatch) -> list[str]:
    flushed: list[str] = []
    real = os.fsync

    def recording(fd):
        flushed.append(os.path.realpath(f"/proc/self/fd/{fd}"))
        return real(fd)

    monkeypatch.setattr(os, "fsync", recording)
    return flushed


def test_each_directory_made_for_a_new_key_file_is_flushed_in_its_parent(tmp_path, monkeypatch):
    key_file = tmp_path / "var" / "vault" / "vault-keys.json"
    flushed = _flushes(monkeypatch)

    FileKeyProvider.create(key_file)

    for made in (tmp_path / "var", tmp_path / "var" / "vault"):
        assert os.path.realpath(made.parent) in flushed, f"{made.name}'s entry in its parent was not flushed"
    assert os.path.realpath(key_file) in flushed


def test_a_directory_that_existed_already_is_not_flushed_again_for_its_parent(tmp_path, monkeypatch):
    (tmp_path / "etc").mkdir()
    key_file = tmp_path / "etc" / "vault-keys.json"
    flushed = _flushes(monkeypatch)

    FileKeyProvider.create(key_file)

    assert sorted(flushed) == sorted([os.path.realpath(key_file), os.path.realpath(key_file.parent)])
