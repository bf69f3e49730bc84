"""A feed row resembling a record whose shred did not finish never stops the batch.

A merge (or purge) tells the key provider first (fail closed); if its transaction then fails, the record
stays there, active, with a key the provider refuses (`KeyRevoked`) or the database holds destroyed
(`KeyShredded`) until it is removed (`lifecycle.removal`). Linkage decrypted every candidate a row's keys
found and let that refusal through: the API answered 500 and every resend failed the same way, and
`manage.py ingest` stopped at that row. Now a record nothing can be read of is no candidate, as the
nightly removal will leave it; but one whose shield is on (a clear flag) still holds every row sharing a
key with it for its LA team, since nothing about it can say the row is someone else: never a new, visible
record beside a shielded child.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.selectors import child_details
from feeds.models import FeedRow, RowOutcome
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source, second_feed_row
from feeds.tests.test_api import post
from linkage.models import ClericalReview, ReviewReason
from tests.personas import make_child
from tests.shredding import shred_rolled_back
from vault.keys import data_key_shred

SHIELDED = {"given_names": "Jasmine", "family_name": "Okafor", "postcode": "LS6 2QT"}


def _left_shredded(child, how):
    """`child` as a shred that did not finish leaves it: its key refused by the provider (the database
    write rolled back with the rest), or destroyed in the database too, the row still active."""
    if how == "revoked":
        shred_rolled_back(child)
    else:
        data_key_shred(Child.objects.select_related("data_key").get(pk=child.pk).data_key)
    assert Child.objects.filter(pk=child.pk, status="active").exists()


def _resembling(**extra):
    """A row about the child `make_child` makes (Amelia Thornton unless `extra` says otherwise), as a
    health feed sends it."""
    about = {"given_names": "Amelia", "family_name": "Thornton", "postcode": "LS1 4AB", **extra}
    return feed_row(record_id="R-1", date_of_birth="2015-03-04", nhs_number=None, **about)


def _answered(client):
    """The client as a source's: a server error is an answer (500), not an exception in the test."""
    client.raise_request_exception = False
    return client


def _outcomes():
    return {row.row_number: row.outcome for row in FeedRow.objects.all()}


@pytest.mark.parametrize("how", ["revoked", "shredded"])
def test_the_batch_lands_beside_an_unshielded_record_left_shredded(client, world, how):
    source = health_source(world)
    token = feed_token_issue(source=source)
    left = make_child(world)
    _left_shredded(left, how)

    response = post(_answered(client), token, "b1", [_resembling(), second_feed_row()])

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed" and body["counts"]["created"] == 2
    # What the nightly removal will leave: the record nothing can be read of is no candidate.
    assert _outcomes() == {1: RowOutcome.CREATED, 2: RowOutcome.CREATED}
    assert not FeedRow.objects.filter(child_id=left.pk).exists()
    [ingested] = AuditEvent.objects.filter(tag=AuditTag.FeedBatchIngested)
    assert ingested.additional["counts"]["created"] == 2
    # Sent again, the stored outcome, not a server error.
    again = post(client, token, "b1", [_resembling(), second_feed_row()])
    assert again.status_code == 200 and again.json()["counts"] == body["counts"]


@pytest.mark.parametrize("how", ["revoked", "shredded"])
def test_a_row_resembling_a_shielded_record_left_shredded_waits_for_its_la_team(client, world, how):
    source = health_source(world)
    token = feed_token_issue(source=source)
    shielded = make_child(world, **SHIELDED, shielded=True, la=world.south)
    _left_shredded(shielded, how)
    row = _resembling(**SHIELDED)

    response = post(_answered(client), token, "b1", [row, second_feed_row()])

    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"created": 1, "accepted": 1, "rejected": 0}
    assert _outcomes() == {1: RowOutcome.REVIEW, 2: RowOutcome.CREATED}
    assert "shield" not in json.dumps(body).lower()  # the source learns "accepted", never why
    # Nothing made or written of the row: it waits for the shielded child's team, as a hold.
    assert Child.objects.count() == 2
    [review] = ClericalReview.objects.all()
    assert review.shielded_hold and review.local_authority_id == world.south.pk
    assert review.reason == ReviewReason.SHIELDED


def test_the_ingest_command_goes_on_past_a_row_resembling_a_record_left_shredded(world, tmp_path):
    health_source(world)
    left = make_child(world)
    shred_rolled_back(left)
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(row) + "\n" for row in [_resembling(), second_feed_row()]))

    out, err = StringIO(), StringIO()
    call_command("ingest", "health", str(feed), stdout=out, stderr=err)

    assert "created: 2" in out.getvalue() + err.getvalue()
    assert _outcomes() == {1: RowOutcome.CREATED, 2: RowOutcome.CREATED}


@pytest.mark.parametrize("status", [RecordStatus.ARCHIVED, RecordStatus.CLOSED])
def test_a_record_whose_purge_failed_after_its_shred_is_no_candidate(client, world, status):
    """An archived (or closed) record the nightly purge shredded, the purge then failing: taken again the
    next night, and until then nothing of it can be read. The row is judged as after that purge."""
    source = health_source(world)
    token = feed_token_issue(source=source)
    purged = make_child(world)
    Child.objects.filter(pk=purged.pk).update(status=status)
    shred_rolled_back(purged)

    response = post(_answered(client), token, "b1", [_resembling(), second_feed_row()])

    assert response.status_code == 200
    assert _outcomes() == {1: RowOutcome.CREATED, 2: RowOutcome.CREATED}
    assert not ClericalReview.objects.exists()


def test_a_row_about_a_child_whose_shielded_record_a_failed_merge_left_never_reaches_the_survivor(world):
    """The merge was folding a shielded record into an unshielded one of the same child (the shield moves
    only when the merge commits). The row about the child, at the address the shield hides, matches the
    readable survivor outright: written there, every practitioner would read it (the 2009 failure)."""
    survivor = make_child(world, given_names="Aoife", family_name="Kelly")
    leftover = make_child(world, given_names="Aoife", family_name="Kelly", postcode="BD1 1AA", shielded=True)
    shred_rolled_back(leftover)
    row = _resembling(given_names="Aoife", family_name="Kelly", postcode="BD1 1AA", address_line="9 Canal St")

    report = feed_rows_ingest(health_source(world), [row])

    assert report.counts["review"] == 1 and _outcomes() == {1: RowOutcome.REVIEW}
    [review] = ClericalReview.objects.all()
    assert review.shielded_hold and review.local_authority_id == leftover.local_authority_id
    assert child_details(Child.objects.get(pk=survivor.pk)).address.postcode == "LS1 4AB"
    assert Child.objects.count() == 2
