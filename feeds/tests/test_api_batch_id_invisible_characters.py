"""A batch id with invisible characters (right-to-left override, zero-width, C1 controls) is refused
(422), as control characters already were: ids are shown to operators on the service health page, where
"\\u202e1-hctab" reads as "batch-1" and two ids differing by a zero-width space look the same."""

import json
from urllib.parse import quote

import pytest

from feeds.models import FeedBatch
from feeds.sources import feed_token_issue
from feeds.tests.factories import health_source


def _post(client, token, batch_id):
    return client.post(
        "/api/feeds/v1/batches/" + quote(batch_id, safe=""),
        data='{"rows": []}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize(
    "batch_id",
    ["\u202e1-hctab", "batch\u200b-1", "batch-1\ufeff", "batch\x85-1", "batch\u2066-1", "batch\ue000-1"],
    ids=["rtl-override", "zero-width-space", "bom", "c1-next-line", "bidi-isolate", "private-use"],
)
def test_a_batch_id_with_invisible_characters_is_refused_and_nothing_stored(client, world, batch_id):
    token = feed_token_issue(source=health_source(world))
    response = _post(client, token, batch_id)
    assert response.status_code == 422
    assert "batch_id" in str(response.json()["detail"])
    # The value is never echoed: read as decoded JSON (its bytes escape every non-ASCII character).
    assert batch_id not in json.dumps(response.json(), ensure_ascii=False)
    assert not FeedBatch.objects.exists()


def test_a_batch_id_in_another_script_is_refused_too(client, world):
    """Letters of other scripts were taken until ids were restricted to plain ASCII
    (test_batch_ids_are_plain_ascii.py): "é" precomposed and as "e" with a combining accent read alike."""
    token = feed_token_issue(source=health_source(world))
    response = _post(client, token, "lot-été-2026")
    assert response.status_code == 422
    assert not FeedBatch.objects.exists()
