"""One JSON integer too long for Python's reader rejects its row alone, as in a JSON Lines file.

Python refuses to read an integer of more than 4,300 digits (a guard against quadratic conversion), so
the API's body parser failed on it and the whole batch was refused with "Cannot parse request body"
(400): one bad value in one row blocked every good row, though the same row in a file is rejected alone
by number (session 21). The value is read as the text of its digits, which no field takes (every field
is at most 100 characters): its row is rejected by number, and the rest go in.
"""

import json

from children.models import Child
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_api import URL


def _post(client, token: str, body: str):
    return client.post(
        URL.format("long-int"),
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_an_integer_too_long_to_read_rejects_its_row_alone(client, world):
    token = feed_token_issue(source=health_source(world))
    good = json.dumps(feed_row(record_id="H-2", given_names="Oliver", nhs_number="401 023 2137"))
    body = '{"rows": [{"record_id": ' + "7" * 5000 + "}, " + good + "]}"
    response = _post(client, token, body)
    assert response.status_code == 200, response.content[:200]
    answer = response.json()
    assert answer["counts"]["created"] == 1 and answer["counts"]["rejected"] == 1
    assert [(r["row_number"], r["reason"]) for r in answer["rejected"]] == [
        (1, "record_id is longer than 100 characters")
    ]
    assert "7777" not in response.content.decode()
    assert Child.objects.count() == 1


def test_an_ordinary_whole_number_is_still_taken_as_text(client, world):
    token = feed_token_issue(source=health_source(world))
    row = feed_row()
    row["record_id"] = 12345
    response = _post(client, token, json.dumps({"rows": [row]}))
    assert response.status_code == 200 and response.json()["counts"]["created"] == 1
