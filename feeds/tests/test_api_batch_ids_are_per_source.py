"""A batch id is the source's own: another source using the same id neither reads nor changes the batch.

(Checked in session 27 and held: `FeedBatch` is unique per source and batch id, and both API calls look a
batch up by the authenticated source. Pinned here so it stays so.)
"""

import json

from feeds.models import FeedBatch
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_api import URL


def _post(client, token: str, rows):
    return client.post(
        URL.format("shared"),
        data=json.dumps({"rows": rows}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_another_source_using_the_same_batch_id_neither_reads_nor_changes_the_first_ones(client, world):
    first = feed_token_issue(source=health_source(world))
    second = feed_token_issue(source=health_source(world, code="gp"))
    assert _post(client, first, [feed_row()]).json()["counts"]["created"] == 1

    looked = client.get(URL.format("shared"), headers={"Authorization": f"Bearer {second}"})
    assert looked.status_code == 404 and looked.json() == {"detail": "no such batch from this source"}

    other = [feed_row(record_id="G-1", given_names="Oliver", family_name="Quayle", nhs_number="401 023 2137")]
    answer = _post(client, second, other)
    assert answer.status_code == 200 and answer.json()["replayed"] is False
    assert answer.json()["counts"]["created"] == 1
    assert FeedBatch.objects.filter(batch_id="shared").count() == 2

    mine = client.get(URL.format("shared"), headers={"Authorization": f"Bearer {first}"}).json()
    assert mine["counts"]["created"] == 1 and mine["status"] == "completed"
    assert _post(client, first, [feed_row()]).json()["replayed"] is True
