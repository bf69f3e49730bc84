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
    assert retired.additional["retiring"] == [1]
    assert retired.additional["kept"] == {}
    assert AuditEvent.objects.filter(tag=AuditTag.KeysRotated).count() == 1


def test_a_rotation_that_stops_with_an_error_after_committing_a_batch_is_audited_as_failed(
    world, fresh_keys, monkeypatch
):
    """Each batch commits on its own: keys were re-wrapped and DEKs replaced before the error, and the run
    is recorded with what it did (review of the session's changes, session 39)."""
    import administration.management.commands.rotate_keys as command

    for name in ("Ada", "Bea", "Cy"):
        make_child(world, given_names=name)
    real = command.rotation_batch
    calls = {"n": 0}

    def one_batch_then_fail(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            return real(**kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(command, "rotation_batch", one_batch_then_fail)
    with pytest.raises(RuntimeError):
        _rotate("--batch-size", "1", "--rotate-deks")
    event = AuditEvent.objects.get(tag=AuditTag.KeysRotated)
    assert event.additional["failed"] is True
    assert event.additional["rewrapped"] == 1 and event.additional["deks_replaced"] == 1


def test_keks_about_to_be_destroyed_are_audited_before_they_are(world, fresh_keys, monkeypatch):
    """Retiring destroys key material in the key file: the versions are recorded first, so a run that
    stops after destroying them still left its record."""
    import administration.management.commands.rotate_keys as command

    make_child(world, given_names="Ada")

    def destroyed_then_fail():
        raise RuntimeError("stopped after destroying")

    monkeypatch.setattr(command, "keks_retire_unused", destroyed_then_fail)
    with pytest.raises(RuntimeError):
        _rotate("--retire")
    retiring = AuditEvent.objects.get(tag=AuditTag.KeksRetired)
    assert retiring.additional["retiring"] == [1]


def test_a_kek_that_became_retirable_as_the_retirement_ran_is_audited_too(world, fresh_keys, monkeypatch):
    """The versions recorded first are read before the retirement's lock; one whose last live key was
    shredded in between is destroyed too, and recorded after."""
    import administration.management.commands.rotate_keys as command

    make_child(world, given_names="Ada")
    real = command.keks_retire_unused
    monkeypatch.setattr(command, "keks_retire_unused", lambda: [*real(), 99])
    _rotate("--retire")
    recorded = [e.additional["retiring"] for e in AuditEvent.objects.filter(tag=AuditTag.KeksRetired)]
    assert sorted(recorded) == [[1], [99]]


def test_both_events_have_labels_for_the_audit_pages():
    assert TAG_LABELS[AuditTag.KeysRotated] and TAG_LABELS[AuditTag.KeksRetired]
