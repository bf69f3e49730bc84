"""A batch larger than one request can ingest is taken in parts: each request stops between rows after
`ROWS_SECONDS`, answers 202 with the batch `in_progress` and what was done so far, and the same body sent
again goes on where it stopped; the last part completes it (200), audited once.

Before, one request ingested the whole batch: at the measured 30 to 40 rows a second (docs/DECISIONS.md
4) a 5,000-row batch, which the schema allows, needs two minutes or more, and gunicorn kills a request
after 30 s (`GUNICORN_TIMEOUT`, docs/DEPLOYMENT.md): the worker was killed part way through and the
source got a 502 from the load balancer and no report, however often it tried.
"""

import json

import pytest

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from config import gunicorn
from feeds import api
from feeds.models import BatchStatus, FeedBatch, FeedRow
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source

URL = "/api/feeds/v1/batches/{}"
ROWS = [
    feed_row(record_id="1", given_names="Harriet", family_name="Pemberton", nhs_number=None),
    feed_row(record_id="2", given_names="Oscar", family_name="Ashworth", nhs_number=None, postcode="M1 1AE"),
    feed_row(record_id="3", given_names="Zed", nhs_number="943 476 5918"),  # rejected: check digit
]


@pytest.fixture
def one_row_a_request(monkeypatch):
    """No time to spare: each request ingests the first row it has not yet done, and stops."""
    monkeypatch.setattr(api, "ROWS_SECONDS", 0.0, raising=False)


def _post(client, token, rows=ROWS):
    return client.post(
        URL.format("big"),
        data=json.dumps({"rows": rows}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_a_batch_over_the_time_budget_is_taken_in_parts_and_completed_once(client, world, one_row_a_request):
    token = feed_token_issue(source=health_source(world))
    first = _post(client, token)
    assert first.status_code == 202
    assert first.json()["status"] == "in_progress" and first.json()["counts"]["created"] == 1
    assert FeedBatch.objects.get().status == BatchStatus.IN_PROGRESS
    assert not AuditEvent.objects.filter(tag=AuditTag.FeedBatchIngested).exists()

    second = _post(client, token)
    assert second.status_code == 202 and second.json()["counts"]["created"] == 2

    last = _post(client, token)
    assert last.status_code == 200
    body = last.json()
    assert body["status"] == "completed" and body["replayed"] is False
    assert body["counts"]["created"] == 2 and [r["row_number"] for r in body["rejected"]] == [3]
    assert Child.objects.count() == 2 and FeedRow.objects.count() == 3
    assert AuditEvent.objects.filter(tag=AuditTag.FeedBatchIngested).count() == 1

    again = _post(client, token)
    assert again.status_code == 200 and again.json()["replayed"] is True


def test_a_part_done_batch_reads_back_as_in_progress_and_other_content_is_still_a_conflict(
    client, world, one_row_a_request
):
    token = feed_token_issue(source=health_source(world))
    assert _post(client, token).status_code == 202
    status = client.get(URL.format("big"), headers={"Authorization": f"Bearer {token}"})
    assert status.status_code == 200 and status.json()["status"] == "in_progress"
    assert _post(client, token, rows=ROWS[:2]).status_code == 409


def test_a_batch_within_the_budget_completes_in_one_request(client, world):
    token = feed_token_issue(source=health_source(world))
    response = _post(client, token)
    assert response.status_code == 200 and response.json()["status"] == "completed"


def test_the_budget_leaves_room_within_the_app_servers_request_timeout():
    assert gunicorn.timeout >= api.ROWS_SECONDS + 5


def test_the_schema_declares_the_part_done_answer(client, db):
    schema = client.get("/api/feeds/v1/openapi.json").json()
    responses = schema["paths"]["/api/feeds/v1/batches/{batch_id}"]["post"]["responses"]
    assert responses["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/BatchOut")
