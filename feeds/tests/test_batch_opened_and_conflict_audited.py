"""A batch is audited when it is first opened (`feed:batch:opened`), not only when it completes, and a
batch id reused for other content (409) is audited (`feed:batch:conflict`, once a minute per source).

Before, a batch answered 202 and never resent had created children with no batch-level event, and a
source reusing a batch id for different rows (a bug, or someone trying ids) left no trace at all.
"""

import json

import pytest

from audit.models import AuditEvent
from audit.tags import TAG_LABELS, AuditTag
from feeds import api
from feeds.models import FeedBatch
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source, second_feed_row

URL = "/api/feeds/v1/batches/{}"
NOON = 1_796_212_815.0  # 12:00:15 on some day: 45 seconds left in the minute


@pytest.fixture
def clock(monkeypatch):
    now = {"t": NOON}
    monkeypatch.setattr("feeds.ratelimit._now", lambda: now["t"])
    return now


def _post(client, token, batch_id, rows):
    return client.post(
        URL.format(batch_id),
        data=json.dumps({"rows": rows}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _events(tag):
    return list(AuditEvent.objects.filter(tag=tag).order_by("pk"))


def test_a_batch_left_part_done_is_audited_as_opened_once(client, world, monkeypatch):
    source = health_source(world)
    token = feed_token_issue(source=source)
    monkeypatch.setattr(api, "ROWS_SECONDS", 0.0)
    rows = [feed_row(), second_feed_row()]
    assert _post(client, token, "part", rows).status_code == 202
    [opened] = _events(AuditTag.FeedBatchOpened)
    assert opened.actor_id == source.user.pk
    assert opened.additional["source"] == "health"
    assert opened.additional["batch"] == FeedBatch.objects.get().pk
    assert _post(client, token, "part", rows).status_code == 200  # resent: goes on, not opened again
    assert len(_events(AuditTag.FeedBatchOpened)) == 1
    assert len(_events(AuditTag.FeedBatchIngested)) == 1


def test_a_batch_from_a_file_is_audited_as_opened_too(world):
    feed_rows_ingest(health_source(world), [feed_row()], batch_id="file-1")
    [opened] = _events(AuditTag.FeedBatchOpened)
    assert opened.additional["batch"] == FeedBatch.objects.get(batch_id="file-1").pk


def test_a_batch_id_reused_for_other_content_is_audited_once_a_minute(client, world, clock):
    source = health_source(world)
    token = feed_token_issue(source=source)
    assert _post(client, token, "monday", [feed_row()]).status_code == 200
    for _ in range(5):
        assert _post(client, token, "monday", [second_feed_row()]).status_code == 409
    [first] = _events(AuditTag.FeedBatchConflict)
    assert first.actor_id == source.user.pk
    assert first.additional["source"] == "health"
    assert first.additional["batch"] == FeedBatch.objects.get().pk
    assert first.additional["refused_in_the_minute_before"] == 0
    clock["t"] = NOON + 45  # the next minute
    assert _post(client, token, "monday", [second_feed_row()]).status_code == 409
    _, second = _events(AuditTag.FeedBatchConflict)
    assert second.additional["refused_in_the_minute_before"] == 5


def test_conflicts_are_audited_per_source(client, world, clock):
    tokens = [feed_token_issue(source=health_source(world, code=code)) for code in ("health", "school")]
    for token in tokens:
        _post(client, token, "monday", [feed_row()])
        _post(client, token, "monday", [second_feed_row()])
    assert sorted(e.additional["source"] for e in _events(AuditTag.FeedBatchConflict)) == ["health", "school"]


def test_the_new_events_are_labelled():
    assert TAG_LABELS[AuditTag.FeedBatchOpened] and TAG_LABELS[AuditTag.FeedBatchConflict]
