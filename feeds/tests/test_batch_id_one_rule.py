"""A batch id is judged by one rule, `feeds.ingest.batch_id_problem`, whether it comes in a file's
`--batch-id` or in the API's address, and is refused in the same words.

The API had its own rule beside it (a pydantic length and pattern, then the text rule): an id too long or
holding a control character was refused there as "String should have at most 100 characters" or "String
should match pattern '^[^\\x00-...]+$'" while the command said "batch id is longer than 100 characters"; and
an id with a slash ("2026/01") was taken from a file though the API can never address it (its path
segment cannot hold one), so that batch's outcome could not be read back nor its rows resent over the API.
"""

import json
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command

from feeds.ingest import BATCH_ID_RULE, batch_id_problem
from feeds.models import FeedBatch
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source

URL = "/api/feeds/v1/batches/"

REFUSED = {
    "too-long": "b" * 101,
    "nul": "b\x001",
    "tab": "b\t1",
    "delete": "b\x7f1",
    "rtl-override": "\u202eb1",
    "piled-accents": "e" + "\u0301" * 5,
}


def _post(client, token: str, batch_id: str):
    return client.post(
        URL + quote(batch_id, safe=""),
        data=json.dumps({"rows": [feed_row()]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _messages(response) -> list[str]:
    return [error["msg"] for error in response.json()["detail"]]


@pytest.mark.parametrize("batch_id", REFUSED.values(), ids=REFUSED.keys())
def test_the_api_refuses_a_batch_id_in_the_words_of_the_file_path(client, world, batch_id):
    says = batch_id_problem(batch_id)
    assert says is not None
    token = feed_token_issue(source=health_source(world))
    submitted = _post(client, token, batch_id)
    status = client.get(URL + quote(batch_id, safe=""), headers={"Authorization": f"Bearer {token}"})
    for response in (submitted, status):
        assert response.status_code == 422
        assert _messages(response) == [says]
        assert response.json()["detail"][0]["loc"] == ["path", "batch_id"]
        # The id is never echoed back.
        assert batch_id not in json.dumps(response.json(), ensure_ascii=False)
    assert not FeedBatch.objects.exists()


def test_a_batch_id_the_api_cannot_address_is_refused_by_the_command_too(client, world, tmp_path):
    token = feed_token_issue(source=health_source(world))
    # The API's address holds no slash, encoded or not: no batch "2026/01" can be read or resent there.
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(URL + quote("2026/01", safe=""), headers=headers).status_code == 404
    assert batch_id_problem("2026/01") == BATCH_ID_RULE
    row = feed_row()
    feed = tmp_path / "feed.csv"
    feed.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n")
    with pytest.raises(
        CommandError, match=r"^batch id may hold only letters A-Z and a-z, digits, .*: nothing was ingested$"
    ):
        call_command("ingest", "health", str(feed), "--batch-id", "2026/01", "--no-progress")
    assert not FeedBatch.objects.exists()


def test_an_id_both_take_is_taken_whole(client, world):
    token = feed_token_issue(source=health_source(world))
    for batch_id in ("b" * 100, "lot-2026_a:1", "2026-01.csv"):
        assert batch_id_problem(batch_id) is None
        assert _post(client, token, batch_id).status_code == 200
    assert sorted(FeedBatch.objects.values_list("batch_id", flat=True)) == sorted(
        ["b" * 100, "lot-2026_a:1", "2026-01.csv"]
    )


def test_the_schema_still_declares_the_longest_id(client, db):
    schema = client.get("/api/feeds/v1/openapi.json").json()
    for method in ("post", "get"):
        (parameter,) = [
            p for p in schema["paths"][URL + "{batch_id}"][method]["parameters"] if p["name"] == "batch_id"
        ]
        assert parameter["in"] == "path" and parameter["required"] is True
        declared = parameter["schema"]
        assert (declared["type"], declared["minLength"], declared["maxLength"]) == ("string", 1, 100)
