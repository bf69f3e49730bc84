"""A key rotation, and the retiring of old KEKs, are audited.

Review (session 39, vault): `manage.py rotate_keys` recorded nothing, though retiring makes every older
backup unrestorable and destroys key material: an auditor could not tell when keys were last rotated or
retired, nor by which run. The vault sits below the ledger and cannot write to it, so the command lives
on the administration floor, above both, and records one event per rotation run and one per retirement,
with versions and counts only (no key, no id).
"""

from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from audit.tags import TAG_LABELS, AuditTag
from tests.personas import make_child
from vault.providers import key_provider


@pytest.fixture
def fresh_keys():
    """Its own ephemeral key ring, so rotating or retiring stays local to the test."""
    key_provider.cache_clear()
    yield key_provider()
    key_provider.cache_clear()


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", "--no-progress", *args, stdout=out)
    return out.getvalue()


def test_a_rotation_is_audited_with_its_kek_version_and_counts(world, fresh_keys):
    for name in ("Ada", "Bea", "Cy"):
        make_child(world, given_names=name)
    _rotate("--rotate-deks")
    event = AuditEvent.objects.get(tag=AuditTag.KeysRotated)
    assert event.actor_id is None
    assert event.additional["kek_version"] == 2
    assert event.additional["rewrapped"] >= 3 and event.additional["deks_replaced"] >= 3
    assert event.additional["rotate_deks"] is True
    assert event.additional["superseded"] is False
    assert not AuditEvent.objects.filter(tag=AuditTag.KeksRetired).exists()


def test_retiring_old_keks_is_audited_with_the_versions_retired(world, fresh_keys):
    make_child(world, given_names="Ada")
    _rotate("--retire")
    retired = AuditEvent.objects.get(tag=AuditTag.KeksRetired)
    assert retired.additional["retired"] == [1]
    assert retired.additional["kept"] == {}
    assert AuditEvent.objects.filter(tag=AuditTag.KeysRotated).count() == 1


def test_both_events_have_labels_for_the_audit_pages():
    assert TAG_LABELS[AuditTag.KeysRotated] and TAG_LABELS[AuditTag.KeksRetired]
