"""The unsigned tail (events after the last signed head) is kept short by automatic checkpoints,
measured and bounded by verify_audit; SearchAppearance rows are verified against the log and, on
PostgreSQL, append-only (pentest finding 6)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from audit.checkpoints import checkpoint_create, checkpoint_due, checkpoint_watch, unsigned_tail
from audit.models import AuditEvent, AuditHead, SearchAppearance
from audit.services import event_record, search_appearances_rebuild
from audit.signing import signing_key
from audit.tags import AuditTag
from audit.tests.tampering import consistent_rewrite, triggers_bypassed
from audit.verification import heads_load, log_verify
from tests.personas import make_child

ROOT = Path(__file__).resolve().parents[2]


def _events(world, count):
    return [event_record(tag=AuditTag.LoginSucceeded, actor=world.alice) for _ in range(count)]


def _verify(settings, **kwargs):
    heads = heads_load(settings.AUDIT_HEAD_EXPORT_DIR)
    return log_verify(heads=heads, public_key=signing_key().public_key(), **kwargs)


def test_a_checkpoint_is_due_after_n_events_or_t_seconds_whichever_first(signed_log, world, settings):
    settings.AUDIT_CHECKPOINT_EVERY_EVENTS = 5
    settings.AUDIT_CHECKPOINT_EVERY_SECONDS = 120
    now = timezone.now()
    assert not checkpoint_due(now=now)  # nothing unsigned
    _events(world, 4)
    assert not checkpoint_due(now=now)
    assert checkpoint_due(now=now + timedelta(seconds=121))  # the oldest has waited T
    _events(world, 1)
    assert checkpoint_due(now=now)  # N reached


def test_the_watcher_signs_heads_automatically(signed_log, world, settings):
    settings.AUDIT_CHECKPOINT_EVERY_EVENTS = 3
    _events(world, 3)
    assert AuditHead.objects.count() == 0
    checkpoint_watch(rounds=2, sleep=lambda seconds: None)
    head = AuditHead.objects.get()
    assert head.size == AuditEvent.objects.count()
    assert unsigned_tail().size == 0


def test_the_watch_command_signs_when_due_and_says_so(signed_log, world, settings, capsys):
    settings.AUDIT_CHECKPOINT_EVERY_EVENTS = 2
    _events(world, 2)
    call_command("audit_checkpoint", "--watch", "--rounds", "2", "--interval", "0")
    assert "signed head:" in capsys.readouterr().out
    assert AuditHead.objects.count() == 1


def test_make_run_starts_the_checkpoint_watcher_beside_the_server():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:")[1].split("\n\n")[0]
    assert "audit_checkpoint --watch" in run
    assert run.index("audit_checkpoint --watch") < run.index("runserver")


def test_verify_audit_reports_the_unsigned_tails_size_and_age(signed_log, world, capsys):
    _events(world, 4)
    checkpoint_create()
    _events(world, 3)
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "unsigned tail: 3 event(s), oldest" in out


def test_verify_audit_fails_when_the_unsigned_tail_is_older_than_the_limit(signed_log, world, settings):
    _events(world, 4)
    checkpoint_create()
    _events(world, 2)
    settings.AUDIT_UNSIGNED_TAIL_MAX_SECONDS = 600
    assert _verify(settings).ok
    late = _verify(settings, now=timezone.now() + timedelta(seconds=601))
    # PG: gaps are normal. The head is as old as the tail by then: `heads_stale` (test_stopped_signer.py).
    assert {f.kind for f in late.findings} - {"id_gap"} == {"unsigned_tail_stale", "heads_stale"}
    assert late.tail_size == 2
    settings.AUDIT_UNSIGNED_TAIL_MAX_SECONDS = 0
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_a_forged_tail_event_with_an_old_timestamp_fails_verification(signed_log, world, settings):
    events = _events(world, 4)
    checkpoint_create()
    forged = event_record(tag=AuditTag.LoginSucceeded, actor=world.bob)
    with triggers_bypassed():
        consistent_rewrite(forged, "occurred_at", events[0].occurred_at - timedelta(hours=2))
    assert "unsigned_tail_stale" in {f.kind for f in _verify(settings).findings}


def _search_then_view(world, child):
    search = event_record(
        tag=AuditTag.SearchPerformed, actor=world.bob, additional={"result_ids": [str(child.pk)]}
    )
    event_record(tag=AuditTag.RecordViewed, actor=world.alice, child_id=child.pk)
    return search


def test_an_inserted_search_appearance_is_caught_by_verification(signed_log, world):
    """The pentest hid alice's unexplained view by inserting one row saying her search returned the child."""
    child = make_child(world)
    empty = event_record(tag=AuditTag.SearchPerformed, actor=world.alice, additional={"result_ids": []})
    _search_then_view(world, child)
    checkpoint_create()
    with triggers_bypassed():
        SearchAppearance.objects.create(
            event=empty, actor_id=world.alice.pk, child_id=child.pk, occurred_at=empty.occurred_at
        )
    report = log_verify(heads=heads_load(signed_log / "heads"), public_key=signing_key().public_key())
    assert ("appearance_inserted", empty.pk) in {(f.kind, f.event_id) for f in report.findings}


def test_a_deleted_or_edited_search_appearance_is_caught_by_verification(signed_log, world):
    child = make_child(world)
    search = _search_then_view(world, child)
    checkpoint_create()
    heads = heads_load(signed_log / "heads")
    public = signing_key().public_key()
    assert log_verify(heads=heads, public_key=public).ok
    with triggers_bypassed():
        SearchAppearance.objects.filter(event=search).update(
            occurred_at=search.occurred_at - timedelta(days=1)
        )
    assert ("appearance_edited", search.pk) in {
        (f.kind, f.event_id) for f in log_verify(heads=heads, public_key=public).findings
    }
    with triggers_bypassed():
        SearchAppearance.objects.filter(event=search).delete()
    assert ("appearance_missing", search.pk) in {
        (f.kind, f.event_id) for f in log_verify(heads=heads, public_key=public).findings
    }
    assert search_appearances_rebuild() == 1
    assert log_verify(heads=heads, public_key=public).ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="append-only triggers exist on PostgreSQL only")
@pytest.mark.parametrize(
    "statement", ["UPDATE audit_searchappearance SET actor_id = 0", "DELETE FROM audit_searchappearance"]
)
def test_postgresql_refuses_to_update_or_delete_search_appearances(world, statement):
    child = make_child(world)
    event_record(tag=AuditTag.SearchPerformed, actor=world.bob, additional={"result_ids": [str(child.pk)]})
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
