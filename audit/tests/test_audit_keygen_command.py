"""`manage.py audit_keygen` makes the signing key once, and never overwrites one."""

import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.signing import key_id, signing_key


def test_it_writes_an_owner_only_key_and_names_it(tmp_path, settings, capsys):
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "audit-signing-key.pem"
    call_command("audit_keygen")
    assert stat.S_IMODE(settings.AUDIT_SIGNING_KEY_FILE.stat().st_mode) == 0o600
    out = capsys.readouterr().out
    assert f"audit signing key {key_id(signing_key().public_key())} written to" in out


def test_it_refuses_to_overwrite_an_existing_key(tmp_path, settings):
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "audit-signing-key.pem"
    call_command("audit_keygen")
    original = settings.AUDIT_SIGNING_KEY_FILE.read_bytes()
    with pytest.raises(CommandError, match="refusing to overwrite"):
        call_command("audit_keygen")
    assert settings.AUDIT_SIGNING_KEY_FILE.read_bytes() == original


def test_it_fails_when_no_key_file_is_configured(settings):
    settings.AUDIT_SIGNING_KEY_FILE = None
    with pytest.raises(CommandError, match="AUDIT_SIGNING_KEY_FILE is not set"):
        call_command("audit_keygen")
