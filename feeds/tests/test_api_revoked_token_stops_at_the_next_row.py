"""A token revoked while its request runs writes no further row, at the shipped judging interval.

The request judged its token with the source's standing, every `feeds.ingest.STANDING_SECONDS` (5 s, about
150 rows at 30 a second): the shipped test set that to 0, and at its real value every row of the request
in those seconds after the revocation still created children, and the answer was 200 "completed" (review
h3-F3). The token is now asked before every row (one indexed query); the rows not written stay not done,
the batch in progress, resumable under a live token.
"""

import feeds.ingest
from children.models import Child
from feeds.models import BatchStatus, FeedBatch, FeedRow, FeedToken
from feeds.sources import feed_token_issue, feed_token_revoke
from feeds.tests.factories import health_source
from feeds.tests.test_api_standing_within_a_request import ROWS, _post


def _revoked_after_the_first_child(monkeypatch):
    made = feeds.ingest.record_create

    def record_create(**kwargs):
        child = made(**kwargs)
        if Child.objects.count() == 1:
            feed_token_revoke(token=FeedToken.objects.get(revoked_at__isnull=True))  # the leak is found
        return child

    monkeypatch.setattr(feeds.ingest, "record_create", record_create)


def test_a_token_revoked_mid_request_writes_no_further_row_at_the_shipped_interval(
    client, world, monkeypatch
):
    assert feeds.ingest.STANDING_SECONDS == 5.0  # as shipped: not judged at every row
    token = feed_token_issue(source=health_source(world))
    _revoked_after_the_first_child(monkeypatch)
    response = _post(client, token)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].endswith('error="invalid_token"')
    assert Child.objects.count() == 1
    assert list(FeedRow.objects.values_list("row_number", flat=True)) == [1]
    assert FeedBatch.objects.get().status == BatchStatus.IN_PROGRESS


def test_the_batch_stopped_by_a_revocation_resumes_under_a_new_token(client, world, monkeypatch):
    source = health_source(world)
    token = feed_token_issue(source=source)
    _revoked_after_the_first_child(monkeypatch)
    assert _post(client, token).status_code == 401
    monkeypatch.undo()

    again = _post(client, feed_token_issue(source=source))
    assert again.status_code == 200
    body = again.json()
    assert body["status"] == "completed" and body["counts"]["created"] == len(ROWS)
    assert Child.objects.count() == len(ROWS)
    assert list(FeedRow.objects.values_list("row_number", flat=True)) == [1, 2, 3]
