"""A batch body over the request size limit (`DATA_UPLOAD_MAX_MEMORY_SIZE`) is refused in the API's own
words: JSON, status 413, saying what the limit is and what to do, and nothing is ingested.

Before, Django answered a bare HTML "Bad Request (400)" page: a feed source's system could not tell a
body too large from a malformed one. The limit is reachable with valid rows: a row's fields may each be
100 characters of any script, which JSON encoders commonly send as `\\uXXXX` (6 bytes a character).
"""

import json

from django.conf import settings

from children.models import Child
from feeds.api import MAX_ROWS, ROW_FIELDS_DOCUMENTED
from feeds.models import FeedBatch
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source
from feeds.validation import MAX_LENGTH

URL = "/api/feeds/v1/batches/{}"


def _valid_rows_over_the_limit() -> str:
    """Valid rows (names and address in Greek, 99 letters each) that together exceed the size limit."""
    text = "Ζωή " * (MAX_LENGTH // 4 - 1) + "Ζωή"
    rows = [
        feed_row(
            record_id=str(n),
            given_names=text,
            family_name=text,
            former_family_name=text,
            address_line=text,
            town=text,
        )
        for n in range(MAX_ROWS)
    ]
    body = json.dumps({"rows": rows})  # ensure_ascii: each Greek letter is sent as \uXXXX
    assert len(body.encode()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return body


def test_a_body_over_the_size_limit_is_a_413_in_json_saying_what_to_do(client, world):
    token = feed_token_issue(source=health_source(world))
    response = client.post(
        URL.format("big"),
        data=_valid_rows_over_the_limit(),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert "8 MiB" in detail and "smaller batches" in detail
    assert not FeedBatch.objects.exists() and Child.objects.count() == 0


def test_a_body_over_the_size_limit_without_a_token_is_still_401(client, db):
    response = client.post(
        URL.format("big"),
        data=b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        content_type="application/json",
    )
    assert response.status_code == 401


def test_every_documented_field_at_its_longest_in_ascii_fits_the_limit():
    """The largest batch of plain-ASCII rows the schema allows (every documented field at its longest)."""
    row = {name: "x" * MAX_LENGTH for name in ROW_FIELDS_DOCUMENTED}
    assert len(json.dumps({"rows": [row] * MAX_ROWS}).encode()) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
