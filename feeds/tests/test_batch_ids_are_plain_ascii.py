"""A batch id is plain ASCII: letters A-Z and a-z, digits, full stops, underscores, colons and hyphens
(`feeds.ingest.batch_id_problem`, for a file's `--batch-id` and the API's address alike).

Before, any visible text was taken: "café-1" written with a precomposed é and "café-1" written as e plus
a combining accent read the same to an operator on the health page and to the source's own logs, yet
were two batches, and the second silently ingested its rows again instead of being a replay or a 409.
"""

import json
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command

from children.models import Child
from feeds.ingest import batch_id_problem
from feeds.models import FeedBatch
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source

URL = "/api/feeds/v1/batches/"
RULE = "batch id may hold only letters A-Z and a-z, digits, full stops (.), underscores (_), colons (:) and hyphens (-)"


def _post(client, token, batch_id, rows):
    return client.post(
        URL + quote(batch_id, safe=""),
        data=json.dumps({"rows": rows}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_two_ids_that_read_alike_cannot_make_two_batches(client, world):
    token = feed_token_issue(source=health_source(world))
    for batch_id in ("caf\u00e9-1", "cafe\u0301-1"):
        response = _post(client, token, batch_id, [feed_row()])
        assert response.status_code == 422
        assert [e["msg"] for e in response.json()["detail"]] == [RULE]
    assert not FeedBatch.objects.exists() and not Child.objects.exists()


@pytest.mark.parametrize(
    "batch_id",
    ["lot-été-2026", "batch 1", "2026/01", "b\u00a01", "b+1", "\uff421", "b\u0301"],
    ids=["accented", "space", "slash", "nbsp", "plus", "fullwidth", "combining"],
)
def test_an_id_outside_the_rule_is_refused_in_its_words(batch_id):
    assert batch_id_problem(batch_id) == RULE


@pytest.mark.parametrize("batch_id", ["2026-01-07", "health:2026.01.07_a", "B" * 100, "x"])
def test_an_id_inside_the_rule_is_taken(client, world, batch_id):
    token = feed_token_issue(source=health_source(world))
    assert batch_id_problem(batch_id) is None
    assert _post(client, token, batch_id, [feed_row()]).status_code == 200
    assert FeedBatch.objects.get().batch_id == batch_id


def test_the_command_refuses_such_an_id_in_the_same_words(world, tmp_path):
    health_source(world)
    row = feed_row()
    feed = tmp_path / "feed.csv"
    feed.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n")
    with pytest.raises(
        CommandError,
        match=rf"^{RULE.replace('(', '[(]').replace(')', '[)]').replace('.', '[.]')}: nothing was ingested$",
    ):
        call_command("ingest", "health", str(feed), "--batch-id", "lot-été", "--no-progress")
    assert not FeedBatch.objects.exists()


def test_the_schema_declares_the_ids_pattern(client, db):
    schema = client.get("/api/feeds/v1/openapi.json").json()
    for method in ("post", "get"):
        (parameter,) = [
            p for p in schema["paths"][URL + "{batch_id}"][method]["parameters"] if p["name"] == "batch_id"
        ]
        assert parameter["schema"]["pattern"] == "^[A-Za-z0-9._:-]+$"
