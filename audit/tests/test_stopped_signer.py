"""A stopped signer is caught by the signed time of the latest head, not by timestamps in the database.

`verify_audit` judged the unsigned tail's age by the oldest tail event's `occurred_at`: a column the
attacker with database access writes. That attacker can also stop the signer with one row (a forged
`AuditHead` larger than the log: every checkpoint then refuses to sign), then delete any tail event,
hours old, and re-date the rest to a minute ago with recomputed leaves: verification said OK, so the
tail the attacker could rewrite was unbounded, not "at most T + grace seconds of events". The one
clock the attacker cannot move is the signed `issued_at` of the exported heads: the watcher now signs a
head at least every AUDIT_CHECKPOINT_HEARTBEAT_SECONDS even when nothing is new, and verification fails
(`heads_stale`) when the latest signed head is older than AUDIT_UNSIGNED_TAIL_MAX_SECONDS.
"""

import json
import runpy
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from audit import checkpoints
from audit.checkpoints import checkpoint_create, checkpoint_due
from audit.models import AuditEvent, AuditHead
from audit.services import event_record
from audit.signing import public_key_load, signing_key, signing_key_create
from audit.tags import AuditTag
from audit.tests.tampering import consistent_rewrite, triggers_bypassed
from audit.verification import heads_load, log_verify

pytestmark = pytest.mark.django_db


def _verify(settings, now):
    heads = heads_load(settings.AUDIT_HEAD_EXPORT_DIR)
    return log_verify(heads=heads, public_key=signing_key().public_key(), now=now)


def test_a_signer_stopped_through_the_database_and_a_re_dated_tail_fail_verification(signed_log, settings):
    settings.AUDIT_UNSIGNED_TAIL_MAX_SECONDS = 600
    for n in range(4):
        event_record(tag=AuditTag.LoginSucceeded, actor=None, additional={"n": n})
    head = checkpoint_create().head
    hidden = event_record(tag=AuditTag.RecordViewed, actor=None, additional={"hide": "me"})
    kept = [event_record(tag=AuditTag.LoginSucceeded, actor=None, additional={"n": n}) for n in (4, 5)]
    with triggers_bypassed():
        AuditHead.objects.create(
            size=head.size + 10**6,
            root=head.root,
            last_event_id=head.last_event_id,
            issued_at=head.issued_at,
            key_id=head.key_id,
            signature=head.signature,
        )
    with pytest.raises(RuntimeError, match="not signed by this signer"):
        checkpoint_create()  # the signer is stopped from the database alone (it refuses the forged row)

    later = timezone.now() + timedelta(hours=3)
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=hidden.pk).delete()
        for event in kept:
            consistent_rewrite(event, "occurred_at", later - timedelta(seconds=30))

    report = _verify(settings, now=later)
    assert not report.ok
    assert "heads_stale" in {f.kind for f in report.findings}
    [stale] = [f for f in report.findings if f.kind == "heads_stale"]
    # The head's age at `later`: three hours and however long the steps above took on a loaded machine.
    age = int((later - head.issued_at).total_seconds())
    assert age >= 10799 and any(
        f"issued {seconds}s ago" in stale.detail for seconds in (age - 1, age, age + 1)
    )


def test_the_watcher_signs_a_heartbeat_head_when_nothing_is_new_so_a_quiet_log_still_verifies(
    signed_log, settings
):
    settings.AUDIT_UNSIGNED_TAIL_MAX_SECONDS = 600
    for n in range(3):
        event_record(tag=AuditTag.LoginSucceeded, actor=None, additional={"n": n})
    first = checkpoint_create().head
    beat = checkpoints.heartbeat_seconds()
    assert 0 < beat < 600
    soon = first.issued_at + timedelta(seconds=beat - 1)
    assert not checkpoint_due(now=soon)
    assert not checkpoint_create(now=soon).created
    quiet = first.issued_at + timedelta(seconds=beat)
    assert checkpoint_due(now=quiet)  # nothing new, but the latest head is a heartbeat old
    again = checkpoint_create(now=quiet)
    assert again.created
    assert (again.head.size, again.head.root, again.head.last_event_id) == (
        first.size,
        first.root,
        first.last_event_id,
    )
    assert again.consistency == {"from_size": first.size, "from_root": first.root, "proof": []}
    assert _verify(settings, now=quiet + timedelta(seconds=beat)).ok
    assert "heads_stale" in {f.kind for f in _verify(settings, now=quiet + timedelta(seconds=601)).findings}


def test_the_heartbeat_can_be_set_apart_from_the_tail_limit(settings):
    settings.AUDIT_UNSIGNED_TAIL_MAX_SECONDS = 600
    assert checkpoints.heartbeat_seconds() == 300
    settings.AUDIT_CHECKPOINT_HEARTBEAT_SECONDS = 42
    assert checkpoints.heartbeat_seconds() == 42


def test_a_head_file_doctored_to_look_fresh_neither_counts_nor_crashes_verification(signed_log, settings):
    event_record(tag=AuditTag.LoginSucceeded, actor=None)
    checkpoint_create()
    event_record(tag=AuditTag.LoginSucceeded, actor=None)
    exported = checkpoint_create().exported_to
    later = timezone.now() + timedelta(days=1)
    for issued_at in ("2999-01-01T00:00:00.000000Z", "not a time"):
        document = json.loads(exported.read_text())
        document["statement"]["issued_at"] = issued_at
        exported.write_text(json.dumps(document))
        kinds = {f.kind for f in _verify(settings, now=later).findings}
        assert {"bad_signature", "heads_stale"} <= kinds


def test_a_log_with_no_head_signed_by_the_pinned_key_is_stale_whatever_else_it_shows(signed_log, settings):
    event_record(tag=AuditTag.LoginSucceeded, actor=None)
    checkpoint_create()
    signing_key_create(signed_log / "other.pem")
    report = log_verify(
        heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=public_key_load(signed_log / "other.pub")
    )
    assert {"bad_signature", "heads_stale"} <= {f.kind for f in report.findings}


def test_a_tail_limit_set_alone_brings_the_default_heartbeat_within_it(settings, monkeypatch):
    """The heartbeat's default is half the tail limit: an operator who sets only the limit (here 240 s)
    must not get heartbeats 300 s apart, or a quiet log fails `heads_stale` between two beats."""
    monkeypatch.setenv("AUDIT_UNSIGNED_TAIL_MAX_SECONDS", "240")
    monkeypatch.delenv("AUDIT_CHECKPOINT_HEARTBEAT_SECONDS", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/14")
    loaded = runpy.run_path(str(Path(django_settings.BASE_DIR) / "config" / "settings" / "base.py"))
    settings.AUDIT_UNSIGNED_TAIL_MAX_SECONDS = loaded["AUDIT_UNSIGNED_TAIL_MAX_SECONDS"]
    settings.AUDIT_CHECKPOINT_HEARTBEAT_SECONDS = loaded["AUDIT_CHECKPOINT_HEARTBEAT_SECONDS"]
    assert settings.AUDIT_UNSIGNED_TAIL_MAX_SECONDS == 240
    assert checkpoints.heartbeat_seconds() == 120
