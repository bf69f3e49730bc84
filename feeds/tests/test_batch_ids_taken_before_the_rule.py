"""A batch opened under an id the API took before ids were restricted to plain ASCII (a "+" of an ISO
timestamp, a space, a letter of another script) can still be resumed, resent and read back, over the API
and by `manage.py ingest --batch-id`; only a NEW batch must follow the rule (`feeds.ingest.batch_id_problem`).

Before, such a batch left in progress (a 202 never resent, a run killed) was refused 422 on its resend and
on its status: its remaining rows could never go in under its id, nor its outcome be read. The waiver is for
an id this source already has a batch under, looked up exactly: another source, or an id that only reads
alike, is a new batch and refused in the rule's words.
"""

import hashlib
import json
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command

from feeds.ingest import BATCH_ID_RULE, batch_id_problem
from feeds.models import BatchStatus, FeedBatch, FeedRow, RowOutcome
from feeds.parsers import rows_fingerprint
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source, second_feed_row

URL = "/api/feeds/v1/batches/"

TAKEN_BEFORE = {
    "iso-timestamp": "2026-12-07T03:00:00+00:00",
    "space": "lot 7",
    "other-script": "lot-\u00e9t\u00e9-2026",
}


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _post(client, token: str, batch_id: str, rows):
    return client.post(
        URL + quote(batch_id, safe=""),
        data=json.dumps({"rows": rows}),
        content_type="application/json",
        headers=_headers(token),
    )


def _get(client, token: str, batch_id: str):
    return client.get(URL + quote(batch_id, safe=""), headers=_headers(token))


def _left_part_done(source, batch_id: str, fingerprint: str) -> FeedBatch:
    """As the code before the rule left it: opened, its first row done, then the request never resent."""
    batch = FeedBatch.objects.create(
        source=source, batch_id=batch_id, fingerprint=fingerprint, status=BatchStatus.IN_PROGRESS
    )
    FeedRow.objects.create(batch=batch, row_number=1, outcome=RowOutcome.REJECTED, reason="done before")
    return batch


@pytest.mark.parametrize("batch_id", TAKEN_BEFORE.values(), ids=TAKEN_BEFORE.keys())
def test_a_batch_left_in_progress_under_an_id_taken_before_is_read_and_resumed(client, world, batch_id):
    assert batch_id_problem(batch_id) == BATCH_ID_RULE  # a new batch could not have it now
    source = health_source(world)
    token = feed_token_issue(source=source)
    rows = [feed_row(), second_feed_row()]
    _left_part_done(source, batch_id, rows_fingerprint(rows))

    status = _get(client, token, batch_id)
    assert status.status_code == 200
    assert (status.json()["batch_id"], status.json()["status"]) == (batch_id, "in_progress")

    resent = _post(client, token, batch_id, rows)
    assert resent.status_code == 200
    body = resent.json()
    assert (body["batch_id"], body["status"], body["replayed"]) == (batch_id, "completed", False)
    # Row 1 was done before and is not done again; row 2 goes in now.
    assert body["counts"]["rejected"] == 1 and body["counts"]["created"] == 1

    again = _post(client, token, batch_id, rows)
    assert again.status_code == 200 and again.json()["replayed"] is True
    other = _post(client, token, batch_id, [second_feed_row()])
    assert other.status_code == 409  # other content under its id: a conflict, as for any batch
    assert FeedBatch.objects.get(source=source, batch_id=batch_id).status == BatchStatus.COMPLETED


def test_another_source_cannot_open_a_new_batch_under_that_id(client, world):
    batch_id = TAKEN_BEFORE["iso-timestamp"]
    first = health_source(world)
    rows = [feed_row()]
    _left_part_done(first, batch_id, rows_fingerprint(rows))
    second = feed_token_issue(source=health_source(world, code="gp"))

    for response in (_post(client, second, batch_id, rows), _get(client, second, batch_id)):
        assert response.status_code == 422
        assert [e["msg"] for e in response.json()["detail"]] == [BATCH_ID_RULE]
        assert response.json()["detail"][0]["loc"] == ["path", "batch_id"]
    assert FeedBatch.objects.filter(batch_id=batch_id).count() == 1


def test_an_id_that_only_reads_like_the_stored_one_is_a_new_id_and_refused(client, world):
    source = health_source(world)
    token = feed_token_issue(source=source)
    rows = [feed_row()]
    _left_part_done(source, "lot-\u00e9t\u00e9-2026", rows_fingerprint(rows))  # é precomposed
    for alike in ("lot-e\u0301te\u0301-2026", "LOT-\u00c9T\u00c9-2026", "lot-\u00e9t\u00e9-2026 "):
        for response in (_post(client, token, alike, rows), _get(client, token, alike)):
            assert response.status_code == 422
            assert [e["msg"] for e in response.json()["detail"]] == [BATCH_ID_RULE]
    assert FeedBatch.objects.count() == 1


def test_a_new_batch_under_such_an_id_is_still_refused_and_nothing_opened(client, world):
    token = feed_token_issue(source=health_source(world))
    for batch_id in TAKEN_BEFORE.values():
        response = _post(client, token, batch_id, [feed_row()])
        assert response.status_code == 422
        assert [e["msg"] for e in response.json()["detail"]] == [BATCH_ID_RULE]
        assert batch_id not in json.dumps(response.json(), ensure_ascii=False)
    assert not FeedBatch.objects.exists()


def _feed_file(tmp_path, rows):
    feed = tmp_path / "feed.csv"
    header = list(rows[0])
    feed.write_text(",".join(header) + "\n" + "".join(",".join(r[k] for k in header) + "\n" for r in rows))
    return feed, hashlib.sha256(feed.read_bytes()).hexdigest()


def test_the_command_resumes_such_a_batch_too(world, tmp_path, capsys):
    batch_id = TAKEN_BEFORE["iso-timestamp"]
    source = health_source(world)
    feed, fingerprint = _feed_file(tmp_path, [feed_row(), second_feed_row()])
    _left_part_done(source, batch_id, fingerprint)

    call_command("ingest", "health", str(feed), "--batch-id", batch_id, "--no-progress")

    batch = FeedBatch.objects.get(source=source, batch_id=batch_id)
    assert batch.status == BatchStatus.COMPLETED
    assert sorted(batch.rows.values_list("row_number", "outcome")) == [
        (1, RowOutcome.REJECTED),
        (2, RowOutcome.CREATED),
    ]
    call_command("ingest", "health", str(feed), "--batch-id", batch_id, "--no-progress")
    assert "This batch was already ingested: nothing changed." in capsys.readouterr().out


def test_the_command_refuses_that_id_for_another_source_in_the_rules_words(world, tmp_path):
    batch_id = TAKEN_BEFORE["iso-timestamp"]
    feed, fingerprint = _feed_file(tmp_path, [feed_row()])
    _left_part_done(health_source(world), batch_id, fingerprint)
    health_source(world, code="gp")
    with pytest.raises(CommandError) as refused:
        call_command("ingest", "gp", str(feed), "--batch-id", batch_id, "--no-progress")
    assert str(refused.value) == f"{BATCH_ID_RULE}: nothing was ingested"
    assert FeedBatch.objects.filter(batch_id=batch_id).count() == 1
