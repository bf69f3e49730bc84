"""A leaked, revoked token hammering the API is refused every time but audited once a minute per token.

Before, every use wrote a `FeedTokenRefused` event (the request limit covers authenticated sources only),
so a leaked token could flood the audit log. The next minute's event counts the refusals not audited.
"""

import pytest
from django.test import override_settings

from audit.models import AuditEvent
from audit.tags import AuditTag
from feeds.models import FeedToken
from feeds.sources import feed_token_issue, feed_token_revoke
from feeds.tests.factories import health_source

URL = "/api/feeds/v1/batches/{}"
NOON = 1_796_212_815.0  # 12:00:15 on some day: 45 seconds left in the minute


@pytest.fixture(autouse=True)
def _address_unlimited(settings):
    """Every request here comes from one address: its limit on tokens that are not live (429 past it,
    `test_api_failed_tokens_are_limited_per_address.py`) is raised out of the way of the per-token audit."""
    settings.FEED_API_TOKEN_FAILURES_PER_ADDRESS = 1000


@pytest.fixture
def clock(monkeypatch):
    now = {"t": NOON}
    monkeypatch.setattr("feeds.ratelimit._now", lambda: now["t"])
    return now


def _get(client, token):
    response = client.get(URL.format("x"), headers={"Authorization": f"Bearer {token}"})
    return response.status_code


def _refusals():
    return list(AuditEvent.objects.filter(tag=AuditTag.FeedTokenRefused).order_by("pk"))


def _revoked_token(world, code="health"):
    token = feed_token_issue(source=health_source(world, code=code))
    feed_token_revoke(token=FeedToken.objects.get(source__code=code))
    return token


@override_settings(FEED_API_REQUESTS_PER_MINUTE=3)
def test_a_revoked_token_cannot_flood_the_audit_log(client, world, clock):
    token = _revoked_token(world)
    codes = [_get(client, token) for _ in range(50)]
    assert set(codes) == {401}  # refused every time
    [event] = _refusals()
    assert event.additional["refused_in_the_minute_before"] == 0
    assert token not in str(event.additional)


def test_the_next_minute_audits_the_token_again_and_counts_the_refusals_before(client, world, clock):
    token = _revoked_token(world)
    for _ in range(20):
        assert _get(client, token) == 401
    clock["t"] = NOON + 45  # the next minute
    assert _get(client, token) == 401
    assert _get(client, token) == 401
    first, second = _refusals()
    assert second.additional["refused_in_the_minute_before"] == 20
    assert second.additional["token_id"] == first.additional["token_id"]


def test_each_revoked_token_is_audited_on_its_own(client, world, clock):
    health = _revoked_token(world)
    school = _revoked_token(world, code="school")
    for _ in range(5):
        _get(client, health), _get(client, school)
    assert sorted(e.additional["source"] for e in _refusals()) == ["health", "school"]
