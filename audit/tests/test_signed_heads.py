"""Checks on the signed heads themselves: whose log, whose signature, and how they follow each other."""

import json
from dataclasses import replace

import pytest

from audit.checkpoints import checkpoint_create
from audit.services import event_record
from audit.signing import signing_key
from audit.tags import AuditTag
from audit.verification import SignedHead, heads_load, log_verify


@pytest.fixture
def heads(signed_log, db, settings):
    """Three heads over 3, 6 and 10 events, each with a consistency proof from the one before."""
    recorded = 0
    for size in (3, 6, 10):
        for n in range(recorded, size):
            event_record(tag=AuditTag.SearchPerformed, actor=None, additional={"n": n})
        recorded = size
        checkpoint_create()
    loaded = heads_load(settings.AUDIT_HEAD_EXPORT_DIR)
    assert [h.size for h in loaded] == [3, 6, 10]
    return loaded


def _kinds(heads):
    """Finding kinds, less `id_gap`: context listed with any failure, and on PostgreSQL the sequence
    has moved on in earlier (rolled back) tests, so ids here need not start at 1."""
    report = log_verify(heads=heads, public_key=signing_key().public_key())
    return [f.kind for f in report.findings if f.kind != "id_gap"]


def test_a_head_file_from_another_log_is_refused(tmp_path):
    path = tmp_path / "head-00000000000001-00000001.json"
    path.write_text(json.dumps({"statement": {"log": "someone-else/1", "size": 1}}))
    with pytest.raises(ValueError, match="is not a head of this log"):
        SignedHead.from_file(path)


def test_a_head_altered_after_signing_fails_its_signature(heads):
    altered = replace(heads[1], last_event_id=heads[1].last_event_id + 1)
    assert altered.key_id == heads[1].key_id
    assert "bad_signature" in _kinds([heads[0], altered, heads[2]])


def test_heads_that_shrink_in_the_order_given_are_reported(heads):
    assert _kinds([heads[0], heads[2], heads[1]]) == ["heads_shrink"]


def test_checking_a_subset_of_heads_raises_no_false_consistency_alarm(heads):
    """The last head's proof is from the middle one: with the middle left out there is nothing to check."""
    assert heads[2].consistency["from_size"] == 6
    assert _kinds([heads[0], heads[2]]) == []
