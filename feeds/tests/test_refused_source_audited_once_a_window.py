"""A suspended (or otherwise refused) feed source still sending is refused every time, but its refusals
are audited once a minute per source, each event counting the refusals of the minute before.

Before, each request wrote an `access:denied` event, up to the request limit (60 a minute by default,
86,400 a day): a source suspended because its token leaked, or a system left retrying, flooded the audit
log, as a revoked token did before `feed:token:refused` was audited once a minute.
"""

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from feeds.models import FeedBatch
from feeds.sources import feed_token_issue
from feeds.tests.factories import health_source

URL = "/api/feeds/v1/batches/{}"
NOON = 1_796_212_815.0  # 12:00:15 on some day: 45 seconds left in the minute


@pytest.fixture
def clock(monkeypatch):
    now = {"t": NOON}
    monkeypatch.setattr("feeds.ratelimit._now", lambda: now["t"])
    return now


def _suspended_source_token(world, code="health"):
    source = health_source(world, code=code)
    token = feed_token_issue(source=source)
    source.user.suspended_at = timezone.now()
    source.user.save(update_fields=["suspended_at"])
    return source, token


def _post(client, token):
    response = client.post(
        URL.format("b"),
        data='{"rows": [{}]}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    return response


def _denials(source):
    return list(AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor_id=source.user.pk).order_by("pk"))


def test_a_suspended_source_hammering_the_api_is_refused_every_time_and_audited_once(client, world, clock):
    source, token = _suspended_source_token(world)
    responses = [_post(client, token) for _ in range(30)]
    assert {r.status_code for r in responses} == {403}
    assert all("suspended" in r.json()["detail"] for r in responses)
    [event] = _denials(source)
    assert event.additional["reason"] == "suspended"
    assert event.additional["refused_in_the_minute_before"] == 0
    assert not FeedBatch.objects.exists()


def test_the_next_minute_audits_the_source_again_with_the_refusals_before(client, world, clock):
    source, token = _suspended_source_token(world)
    for _ in range(12):
        assert _post(client, token).status_code == 403
    clock["t"] = NOON + 45
    assert _post(client, token).status_code == 403
    first, second = _denials(source)
    assert first.additional["refused_in_the_minute_before"] == 0
    assert second.additional["refused_in_the_minute_before"] == 12


def test_each_refused_source_is_audited_on_its_own(client, world, clock):
    health, health_token = _suspended_source_token(world)
    school, school_token = _suspended_source_token(world, code="school")
    for _ in range(5):
        _post(client, health_token), _post(client, school_token)
    assert len(_denials(health)) == 1 and len(_denials(school)) == 1
