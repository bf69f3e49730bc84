"""A feeds API request is judged again while it works, not only when it starts.

A request ingests rows for up to `feeds.api.ROWS_SECONDS` (20 s: hundreds of rows at the measured 30 to
40 a second). The token, the policy and the entitlement were judged once, before the first row, so a
token revoked because it leaked, a source suspended, or an entitlement narrowed (NHS numbers taken
away, an LA removed) while a request ran went on creating and updating children until it ended: the
revocation was not the end of the token's writes. `manage.py ingest` judges its source every few
seconds (`feeds.ingest.STANDING_SECONDS`, session 25); the API now does too, and also asks whether the
token it was called with is still live.
"""

import json

from django.test import Client
from django.utils import timezone

import feeds.ingest
from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from feeds.models import BatchStatus, FeedBatch, FeedRow, FeedSource, FeedToken
from feeds.sources import feed_token_issue, feed_token_revoke
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_api import URL
from tests.concurrency import paused_for, postgresql_race
from vault.sealing import Sealer

ROWS = [
    feed_row(),
    feed_row(record_id="H-2", given_names="Oliver", family_name="Quayle", nhs_number="401 023 2137"),
    feed_row(record_id="H-3", given_names="Priya", family_name="Ramsbottom", nhs_number="943 476 5870"),
]


def _post(client, token: str, rows=ROWS):
    return client.post(
        URL.format("standing"),
        data=json.dumps({"rows": rows}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _after_the_first_child(monkeypatch, change):
    """Run `change` (an operator's or a colleague's action) once the request has made its first child."""
    made = feeds.ingest.record_create

    def record_create(**kwargs):
        child = made(**kwargs)
        if Child.objects.count() == 1:
            change()
        return child

    monkeypatch.setattr(feeds.ingest, "record_create", record_create)
    # Judged at every row here; in a real request every few seconds.
    monkeypatch.setattr(feeds.ingest, "STANDING_SECONDS", 0.0)


def test_a_token_revoked_while_its_request_runs_writes_no_further_row(client, world, monkeypatch):
    token = feed_token_issue(source=health_source(world))
    _after_the_first_child(monkeypatch, lambda: feed_token_revoke(token=FeedToken.objects.get()))
    response = _post(client, token)
    assert response.status_code == 401, response.status_code
    assert response["WWW-Authenticate"].endswith('error="invalid_token"')
    assert Child.objects.count() == 1
    assert FeedRow.objects.count() == 1
    assert FeedBatch.objects.get().status == BatchStatus.IN_PROGRESS
    assert not AuditEvent.objects.filter(tag=AuditTag.FeedBatchIngested).exists()


def test_a_source_suspended_while_its_request_runs_writes_no_further_row(client, world, monkeypatch):
    source = health_source(world)
    token = feed_token_issue(source=source)
    _after_the_first_child(
        monkeypatch, lambda: User.objects.filter(pk=source.user_id).update(suspended_at=timezone.now())
    )
    response = _post(client, token)
    assert response.status_code == 403
    assert "suspended" in response.json()["detail"]
    assert Child.objects.count() == 1 and FeedRow.objects.count() == 1
    denied = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor_id=source.user_id)
    assert denied.count() == 1 and denied.get().additional["reason"] == "suspended"


def test_a_source_whose_nhs_numbers_are_taken_away_mid_request_supplies_no_further_one(
    client, world, monkeypatch
):
    source = health_source(world)
    token = feed_token_issue(source=source)
    narrowed = [name for name in source.fields if name != "nhs_number"]
    _after_the_first_child(
        monkeypatch, lambda: FeedSource.objects.filter(pk=source.pk).update(fields=narrowed)
    )
    first = _post(client, token)
    # The request stops between rows, as at the end of its time: the batch in progress, resumable.
    assert first.status_code == 202
    assert first.json()["status"] == "in_progress" and first.json()["counts"]["created"] == 1
    assert Child.objects.count() == 1

    # Sent again, the rest is judged by the entitlement as it is now: refused by number, nothing written.
    monkeypatch.undo()
    again = _post(client, token)
    assert again.status_code == 200
    assert [(r["row_number"], r["reason"]) for r in again.json()["rejected"]] == [
        (2, "The row has fields this source is not entitled to supply: nhs_number"),
        (3, "The row has fields this source is not entitled to supply: nhs_number"),
    ]
    child = Child.objects.get()
    assert [i.value for i in child_details(child, Sealer(child.data_key)).source_identifiers] == [
        "943 476 5919"
    ]


def test_a_request_left_alone_is_judged_and_completes_as_before(client, world, monkeypatch):
    monkeypatch.setattr(feeds.ingest, "STANDING_SECONDS", 0.0)
    token = feed_token_issue(source=health_source(world))
    response = _post(client, token)
    assert response.status_code == 200 and response.json()["counts"]["created"] == 3


class TestRevokedByAnotherSession:
    pytestmark = postgresql_race()

    def test_a_revocation_committed_while_a_request_works_ends_its_writes(self, world, monkeypatch):
        """Two real sessions: the operator's revocation commits while the request is making its first
        child; the request's next judgement sees it, and nothing after that row is written."""
        monkeypatch.setattr(feeds.ingest, "STANDING_SECONDS", 0.0)
        token = feed_token_issue(source=health_source(world))
        answer, revoked = paused_for(
            monkeypatch,
            feeds.ingest,
            "record_create",
            read=lambda: _post(Client(), token),
            write=lambda: feed_token_revoke(token=FeedToken.objects.get()),
        )
        assert revoked is True
        assert answer.status_code == 401
        assert Child.objects.count() == 1 and FeedRow.objects.count() == 1
        assert FeedBatch.objects.get().status == BatchStatus.IN_PROGRESS
