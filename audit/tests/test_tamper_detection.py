"""verify_audit detects every kind of tampering with the stored log, and names the entry where it can."""

import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from audit.checkpoints import checkpoint_create
from audit.models import AuditEvent
from audit.signing import signing_key
from audit.tests.tampering import (
    CONTENT,
    column_edit,
    consistent_rewrite,
    forged_insert,
    log_build,
    triggers_bypassed,
)
from audit.verification import heads_load, log_verify
from tests.personas import make_child

MUTATIONS = 200


class Rollback(Exception):
    pass


@pytest.fixture
def checkpointed_log(signed_log, world, settings):
    rng = random.Random(6962)
    children = [make_child(world), make_child(world, given_names="Ben", family_name="Osei")]
    with triggers_bypassed():
        AuditEvent.objects.all().delete()  # child_create's own events: start from a log we control
    log_build(world, children, 9, rng)
    checkpoint_create()
    log_build(world, children, 14, rng)
    checkpoint_create()
    log_build(world, children, 12, rng)
    checkpoint_create()
    heads = heads_load(settings.AUDIT_HEAD_EXPORT_DIR)
    assert [h.size for h in heads] == [9, 23, 35]
    return heads


def _verify(heads):
    return log_verify(heads=heads, public_key=signing_key().public_key())


def _mutate(kind, rng, world):
    events = list(AuditEvent.objects.order_by("id"))
    ids = [e.pk for e in events]
    user_ids = [world.alice.pk, world.bob.pk, world.lena.pk, world.nadia.pk]
    if kind == "edit":
        event = rng.choice(events)
        column = rng.choice([*CONTENT, "id"])
        if column == "id":
            new_id = max(ids) + rng.randint(1, 5) if rng.random() < 0.5 else _hole(ids, rng) or max(ids) + 1
            AuditEvent.objects.filter(pk=event.pk).update(id=new_id)
            return kind, {new_id}
        value = column_edit(event, column, rng, user_ids)
        AuditEvent.objects.filter(pk=event.pk).update(**{column: value})
        return kind, {event.pk}
    if kind == "forged_edit":
        event = rng.choice(events)
        column = rng.choice([c for c in CONTENT if c != "leaf_hash"])
        consistent_rewrite(event, column, column_edit(event, column, rng, user_ids))
        return kind, set()
    if kind == "delete":
        AuditEvent.objects.filter(pk=rng.choice(ids)).delete()
        return kind, set()
    if kind == "truncate":
        AuditEvent.objects.filter(pk__in=ids[-rng.randint(1, 6) :]).delete()
        return kind, set()
    if kind == "swap":
        a, b = rng.sample(events, 2)
        for target, source in ((a, b), (b, a)):
            AuditEvent.objects.filter(pk=target.pk).update(**{c: getattr(source, c) for c in CONTENT})
        return kind, {a.pk, b.pk}
    hole = _hole(ids, rng)
    forged_insert(hole, rng.choice(events))
    return kind, set()


def _hole(ids, rng):
    present = set(ids)
    holes = [i for i in range(1, max(ids)) if i not in present]
    return rng.choice(holes) if holes else None


def test_an_untouched_log_verifies(checkpointed_log):
    report = _verify(checkpointed_log)
    assert report.ok, report.findings
    assert report.events == 35


def test_every_random_mutation_is_detected_and_edits_are_pinned_to_their_entry(checkpointed_log, world):
    rng = random.Random(2024)
    kinds = ["edit", "forged_edit", "delete", "truncate", "swap", "insert"]
    detected = 0
    for _ in range(MUTATIONS):
        kind = rng.choice(kinds)
        try:
            with transaction.atomic(), triggers_bypassed():
                kind, pinned = _mutate(kind, rng, world)
                report = _verify(checkpointed_log)
                raise Rollback
        except Rollback:
            pass
        assert not report.ok, f"{kind} went undetected"
        assert pinned <= report.edited_ids(), (kind, pinned, report.findings)
        detected += 1
    assert detected == MUTATIONS
    assert _verify(checkpointed_log).ok


def test_it_reports_a_deletion_by_count_and_the_gap_it_leaves(checkpointed_log):
    ids = set(AuditEvent.objects.values_list("id", flat=True))
    victim = AuditEvent.objects.get(pk=min(i for i in ids if i - 1 in ids and i + 1 in ids))
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=victim.pk).delete()
    findings = _verify(checkpointed_log).findings
    assert "deleted" in {f.kind for f in findings}
    assert any(f"{victim.pk}..{victim.pk}" in str(f) for f in findings if f.kind == "id_gap")


def test_it_reports_truncation_against_the_latest_head(checkpointed_log):
    last = AuditEvent.objects.order_by("-id")[:3]
    with triggers_bypassed():
        AuditEvent.objects.filter(pk__in=[e.pk for e in last]).delete()
    assert "truncated" in {f.kind for f in _verify(checkpointed_log).findings}


def test_it_narrows_a_consistent_rewrite_to_its_block(checkpointed_log, world):
    event = AuditEvent.objects.order_by("id")[13]
    with triggers_bypassed():
        consistent_rewrite(event, "tag", "child:record:viewed")
    findings = _verify(checkpointed_log).findings
    assert {"root_mismatch", "block_diverges"} <= {f.kind for f in findings}
    assert any("tree block 3" in str(f) for f in findings)


def test_it_rejects_a_head_signed_by_another_key(checkpointed_log, settings, tmp_path):
    from audit.signing import signing_key_create

    other = signing_key_create(tmp_path / "other.pem").public_key()
    report = log_verify(heads=checkpointed_log, public_key=other)
    assert "bad_signature" in {f.kind for f in report.findings}


def test_it_rejects_heads_that_do_not_extend_each_other(checkpointed_log):
    from dataclasses import replace

    forged = replace(checkpointed_log[1], consistency={**checkpointed_log[1].consistency, "proof": []})
    report = _verify([checkpointed_log[0], forged, checkpointed_log[2]])
    assert "inconsistent_heads" in {f.kind for f in report.findings}


def test_verify_audit_command_passes_then_names_the_edited_entry(checkpointed_log, capsys):
    call_command("verify_audit")
    assert "OK: 35 events" in capsys.readouterr().out
    event = AuditEvent.objects.order_by("id")[20]
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=event.pk).update(tag="account:login:succeeded")
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert f"FAIL edited [event {event.pk}]" in capsys.readouterr().out
