"""`manage.py verify_audit` options: named head files, a pinned public key, and no heads at all."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.checkpoints import checkpoint_create
from audit.services import event_record
from audit.signing import signing_key_create
from audit.tags import AuditTag


@pytest.fixture
def exported_head(signed_log, db):
    for n in range(3):
        event_record(tag=AuditTag.SearchPerformed, actor=None, additional={"n": n})
    return checkpoint_create().exported_to


def test_it_fails_when_there_are_no_signed_heads_to_check_against(signed_log, db):
    with pytest.raises(CommandError, match="no signed heads found"):
        call_command("verify_audit", heads_dir=str(signed_log / "empty"))


def test_it_checks_a_named_head_file_against_a_pinned_public_key(exported_head, signed_log, capsys):
    call_command("verify_audit", head=[str(exported_head)], public_key=str(signed_log / "signing.pub"))
    assert "OK: 3 events, 1 signed head(s); latest covers 3" in capsys.readouterr().out


def test_a_head_not_signed_by_the_pinned_key_fails_verification(exported_head, signed_log, capsys):
    signing_key_create(signed_log / "other.pem")
    with pytest.raises(CommandError, match="audit log verification failed"):
        call_command("verify_audit", head=[str(exported_head)], public_key=str(signed_log / "other.pub"))
    assert "FAIL bad_signature" in capsys.readouterr().out
