"""A feed token expires: 12 months after it is issued by default (`manage.py feed_source token --days`, 1 to
366), then is refused exactly as a revoked or unknown token is (401, nothing said about why) and its use
audited as a revoked token's is (`feed:token:refused`, once a minute per token, reason "expired").

Before, a token lived until someone revoked it: one copied into a script or a config file years ago went
on working, however long its source system had been gone.
"""

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds.models import FeedToken
from feeds.sources import feed_source_authenticate, feed_token_issue, feed_token_live, feed_token_revoke
from feeds.tests.factories import feed_row, health_source

URL = "/api/feeds/v1/batches/{}"


def _post(client, token, batch_id="b"):
    return client.post(
        URL.format(batch_id),
        data=json.dumps({"rows": [feed_row()]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _later(days: float):
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


def _refusals():
    return list(AuditEvent.objects.filter(tag=AuditTag.FeedTokenRefused).order_by("pk"))


def test_a_token_is_issued_for_twelve_months_by_default(world):
    before = timezone.now()
    feed_token_issue(source=health_source(world))
    row = FeedToken.objects.get()
    assert before + timedelta(days=365) <= row.expires_at <= timezone.now() + timedelta(days=365)


def test_a_token_works_until_it_expires_and_is_refused_after(client, world):
    token = feed_token_issue(source=health_source(world))
    with _later(364):
        assert _post(client, token, "day-364").status_code == 200
    with _later(365.01):
        assert _post(client, token, "day-365").status_code == 401
    assert Child.objects.count() == 1


def test_an_expired_token_gets_the_same_401_as_a_revoked_one(client, world):
    expired = feed_token_issue(source=health_source(world), days=1)
    revoked = feed_token_issue(source=health_source(world, code="school"))
    feed_token_revoke(token=FeedToken.objects.get(source__code="school"))
    with _later(2):
        answers = [_post(client, token) for token in (expired, revoked, "cpf_unknown")]
    assert {a.status_code for a in answers} == {401}
    assert len({a.content for a in answers}) == 1
    assert len({a["WWW-Authenticate"] for a in answers}) == 1
    assert Child.objects.count() == 0


def test_an_expired_token_is_audited_once_a_minute_with_its_reason(client, world):
    source = health_source(world)
    token = feed_token_issue(source=source, days=1)
    with _later(2):
        for _ in range(5):
            assert _post(client, token).status_code == 401
    [event] = _refusals()
    assert event.actor_id == source.user.pk
    assert event.additional["reason"] == "expired"
    assert event.additional["token_id"] == FeedToken.objects.get().pk
    assert token not in str(event.additional)


def test_a_revoked_token_is_audited_with_its_reason(client, world):
    token = feed_token_issue(source=health_source(world))
    feed_token_revoke(token=FeedToken.objects.get())
    assert _post(client, token).status_code == 401
    assert [e.additional["reason"] for e in _refusals()] == ["revoked"]


def test_a_token_expiring_during_a_request_is_no_longer_live(world):
    token = feed_token_issue(source=health_source(world), days=1)
    digest = FeedToken.objects.get().digest
    assert feed_token_live(digest)
    with _later(1.01):
        assert not feed_token_live(digest)
        assert feed_source_authenticate(token) is None


@pytest.mark.parametrize("days", [0, -1, 367])
def test_a_token_is_issued_for_1_to_366_days_only(world, days):
    with pytest.raises(ValueError, match="1 to 366 days"):
        feed_token_issue(source=health_source(world), days=days)
    assert not FeedToken.objects.exists()


def _command(*args: str) -> str:
    out = StringIO()
    call_command("feed_source", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_token_command_issues_for_the_days_asked(world):
    health_source(world)
    _command("token", "health", "--days", "30")
    expires = FeedToken.objects.get().expires_at
    assert abs(expires - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)


@pytest.mark.parametrize("days", ["0", "367"])
def test_the_token_command_refuses_days_out_of_bounds_and_issues_nothing(world, days):
    health_source(world)
    with pytest.raises(CommandError, match="--days must be between 1 and 366"):
        _command("token", "health", "--days", days)
    assert not FeedToken.objects.exists()


def test_the_tokens_listing_shows_when_each_expires_and_which_have(world):
    source = health_source(world)
    feed_token_issue(source=source, days=1)
    feed_token_issue(source=source, days=30)
    short, long = FeedToken.objects.order_by("pk")
    with _later(2):
        lines = _command("tokens", "health").splitlines()
    assert f"expires {short.expires_at:%Y-%m-%d %H:%M}" in lines[0] and "expired" in lines[0].split("\t")[-1]
    assert f"expires {long.expires_at:%Y-%m-%d %H:%M}" in lines[1] and lines[1].split("\t")[-1] == "live"


def test_a_tokens_last_use_is_noted_at_most_once_a_minute(client, world):
    token = feed_token_issue(source=health_source(world))
    assert FeedToken.objects.get().last_used_at is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(URL.format("x"), headers={"Authorization": f"Bearer {token}"})
    assert FeedToken.objects.get().last_used_at == start
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        client.get(URL.format("x"), headers={"Authorization": f"Bearer {token}"})
    assert FeedToken.objects.get().last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get(URL.format("x"), headers={"Authorization": f"Bearer {token}"})
    assert FeedToken.objects.get().last_used_at == start + timedelta(seconds=61)
