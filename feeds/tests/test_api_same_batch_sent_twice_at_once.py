"""The same batch sent twice at once (a source retrying a request it thought lost, or resending after a
202 while the first part is still running): on PostgreSQL, real concurrent sessions. Each row is taken
once, the batch completes once, and its `feed:batch:ingested` event is written once; neither request is
a server error."""

import json
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds import api
from feeds.models import BatchStatus, FeedBatch, FeedRow
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source
from tests.concurrency import postgresql_race, run_together

pytestmark = postgresql_race()

NAMES = ["Harriet", "Oscar", "Imogen", "Rupert", "Matilda", "Barnaby"]
ROWS = [
    feed_row(
        record_id=str(i), given_names=name, family_name="Pemberton", nhs_number=None, postcode=f"M{i} 1AE"
    )
    for i, name in enumerate(NAMES, start=1)
]


def _post(token: str) -> Any:
    return Client().post(
        "/api/feeds/v1/batches/twice",
        data=json.dumps({"rows": ROWS}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize("budget", [20.0, 0.0], ids=["whole-batch", "one-row-a-request"])
def test_two_requests_at_once_take_each_row_once_and_complete_the_batch_once(world, monkeypatch, budget):
    monkeypatch.setattr(api, "ROWS_SECONDS", budget)
    token = feed_token_issue(source=health_source(world))
    statuses: list[int] = []
    for _ in range(len(ROWS) + 2):
        answers = run_together(2, lambda _: _post(token).status_code)
        statuses.extend(answers)
        assert all(code in (200, 202) for code in answers), answers
        if FeedBatch.objects.get().status == BatchStatus.COMPLETED:
            break
    assert FeedBatch.objects.get().status == BatchStatus.COMPLETED
    assert FeedRow.objects.count() == len(ROWS) and Child.objects.count() == len(ROWS)
    assert AuditEvent.objects.filter(tag=AuditTag.FeedBatchIngested).count() == 1
    assert _post(token).json()["replayed"] is True
