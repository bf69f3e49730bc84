"""Per-source request limit on the feeds API: 429 with a clear JSON error and Retry-After; audited once."""

import pytest
from django.test import override_settings

from audit.models import AuditEvent
from audit.tags import AuditTag
from feeds.models import FeedBatch
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_api import URL, post

# 12:00:15 on some day: 45 seconds left in the window.
NOON = 1_796_212_815.0


@pytest.fixture
def clock(monkeypatch):
    now = {"t": NOON}
    monkeypatch.setattr("feeds.ratelimit._now", lambda: now["t"])
    return now


def status(client, token, batch_id="none"):
    return client.get(URL.format(batch_id), headers={"Authorization": f"Bearer {token}"})


@override_settings(FEED_API_REQUESTS_PER_MINUTE=3)
def test_a_source_over_its_requests_per_minute_gets_429_with_retry_after_and_a_clear_error(
    client, world, clock
):
    token = feed_token_issue(source=health_source(world))
    assert [status(client, token).status_code for _ in range(3)] == [404, 404, 404]
    refused = status(client, token)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    body = refused.json()
    assert body == {
        "detail": "Too many requests from this feed source: at most 3 a minute. Try again in 45 seconds.",
        "retry_after_seconds": 45,
    }


@override_settings(FEED_API_REQUESTS_PER_MINUTE=2)
def test_a_refused_batch_is_not_ingested(client, world, clock):
    token = feed_token_issue(source=health_source(world))
    status(client, token), status(client, token)
    assert post(client, token, "b-1", [feed_row()]).status_code == 429
    assert not FeedBatch.objects.exists()


@override_settings(FEED_API_REQUESTS_PER_MINUTE=2)
def test_the_limit_is_per_source_and_a_new_minute_starts_afresh(client, world, clock):
    busy = feed_token_issue(source=health_source(world))
    quiet = feed_token_issue(source=health_source(world, code="school"))
    for _ in range(3):
        status(client, busy)
    assert status(client, busy).status_code == 429
    assert status(client, quiet).status_code == 404
    clock["t"] = NOON + 45
    assert status(client, busy).status_code == 404


@override_settings(FEED_API_REQUESTS_PER_MINUTE=2)
def test_the_first_refusal_of_each_minute_is_audited_once_without_flooding_the_log(client, world, clock):
    source = health_source(world)
    token = feed_token_issue(source=source)
    for _ in range(10):
        status(client, token)
    (event,) = AuditEvent.objects.filter(tag=AuditTag.FeedRateLimited)
    assert event.actor_id == source.user.pk
    assert event.additional["source"] == "health" and event.additional["limit_per_minute"] == 2
    clock["t"] = NOON + 60
    for _ in range(3):
        status(client, token)
    assert AuditEvent.objects.filter(tag=AuditTag.FeedRateLimited).count() == 2


def test_the_schema_documents_the_429_answer(client, db):
    schema = client.get("/api/feeds/v1/openapi.json").json()
    assert "429" in schema["paths"]["/api/feeds/v1/batches/{batch_id}"]["post"]["responses"]


def test_the_default_limit_is_a_setting(settings):
    assert settings.FEED_API_REQUESTS_PER_MINUTE == 60
