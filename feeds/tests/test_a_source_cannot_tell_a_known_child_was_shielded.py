"""A source resends the same rows every day. Told "linked" for a child it knows, then "review" once that child
was shielded (or moved to an LA the source does not cover, or archived), it learnt the change, exactly for
one child when its batch held one row: the 2009 lesson is that a shielded child's existence must not leak
through a feed. What the source is told (the API, its schema, `manage.py ingest`) folds "linked", "updated"
and "review" into one outcome, "accepted"; the full breakdown stays in the stored rows and the audit event.
"""

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds.models import FeedBatch, FeedRow, RowOutcome
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source
from lifecycle.moves import transfer_accept, transfer_request
from lifecycle.services import child_archive
from lifecycle.shielding import shield_set
from tests.personas import World, make_user

URL = "/api/feeds/v1/batches/{}"
ACCEPTED_ONLY = {"created": 0, "accepted": 1, "rejected": 0}


def _post(client: Client, token: str, batch_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    response = client.post(
        URL.format(batch_id),
        data=json.dumps({"rows": rows}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def _read_back(client: Client, token: str, batch_id: str) -> dict[str, Any]:
    response = client.get(URL.format(batch_id), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return dict(response.json())


def _told(answer: dict[str, Any]) -> dict[str, Any]:
    """What the answer tells the source about its rows (its own batch id and the replay flag aside)."""
    return {key: value for key, value in answer.items() if key not in ("batch_id", "replayed")}


def _shielded(world: World, child: Child) -> None:
    assert shield_set(child=child, by=world.lena, shielded=True, reason="risk of harm")


def _moved_away(world: World, child: Child) -> None:
    south_team = make_user("sofia", world.south, Role.LA_TEAM)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="family moved")
    assert transfer_accept(transfer=transfer, by=south_team)


def _archived(world: World, child: Child) -> None:
    assert child_archive(child_id=child.pk, rule="age", today=timezone.localdate())


CHANGES: dict[str, Callable[[World, Child], None]] = {
    "shielded": _shielded,
    "moved to an LA the source does not cover": _moved_away,
    "archived": _archived,
}


@pytest.mark.parametrize("change", CHANGES)
def test_the_same_row_resent_is_told_the_same_after_its_child_changes(client, world, change):
    token = feed_token_issue(source=health_source(world))
    row = feed_row()
    assert _post(client, token, "day-1", [row])["counts"]["created"] == 1
    day2 = _post(client, token, "day-2", [row])
    CHANGES[change](world, Child.objects.get())
    day3 = _post(client, token, "day-3", [row])
    assert _told(day3) == _told(day2), f"the source can tell its child was {change}"
    assert day2["counts"] == ACCEPTED_ONLY and day2["rejected"] == []
    assert _told(_read_back(client, token, "day-3")) == _told(day2)
    resent = _post(client, token, "day-3", [row])
    assert resent["replayed"] is True and _told(resent) == _told(day2)


def test_the_stored_rows_and_the_audit_event_keep_the_full_breakdown(client, world):
    token = feed_token_issue(source=health_source(world))
    row = feed_row()
    _post(client, token, "day-1", [row])
    _post(client, token, "day-2", [row])
    _shielded(world, Child.objects.get())
    _post(client, token, "day-3", [row])
    outcomes = {
        batch_id: FeedRow.objects.get(batch__batch_id=batch_id).outcome for batch_id in ("day-2", "day-3")
    }
    assert outcomes == {"day-2": RowOutcome.LINKED, "day-3": RowOutcome.REVIEW}
    day3 = FeedBatch.objects.get(batch_id="day-3")
    event = AuditEvent.objects.get(tag=AuditTag.FeedBatchIngested, additional__batch=day3.pk)
    assert event.additional["counts"] == {"created": 0, "updated": 0, "linked": 0, "review": 1, "rejected": 0}


def test_a_rejected_row_is_still_told_by_its_number_and_reason(client, world):
    token = feed_token_issue(source=health_source(world))
    bad = feed_row(record_id="2", given_names="Zed", nhs_number="943 476 5918")
    answer = _post(client, token, "b1", [feed_row(), bad])
    assert answer["counts"] == {"created": 1, "accepted": 0, "rejected": 1}
    assert answer["rejected"] == [
        {"row_number": 2, "outcome": "rejected", "reason": "nhs_number fails its check digit"}
    ]


def _cli(source_code: str, path: str, batch_id: str) -> str:
    out = StringIO()
    call_command(
        "ingest", source_code, path, "--batch-id", batch_id, "--no-progress", stdout=out, stderr=StringIO()
    )
    return out.getvalue()


def test_the_ingest_command_prints_what_the_source_is_told(world, tmp_path):
    """An operator runs `manage.py ingest` on a source's behalf, and its output goes back to the source:
    it prints the same folded counts as the API answers."""
    health_source(world)
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(feed_row()) + "\n")
    assert "created: 1" in _cli("health", str(feed), "day-1")
    day2 = _cli("health", str(feed), "day-2")
    assert day2.strip() == "created: 0, accepted: 1, rejected: 0"
    _shielded(world, Child.objects.get())
    assert _cli("health", str(feed), "day-3") == day2
    assert FeedRow.objects.get(batch__batch_id="day-3").outcome == RowOutcome.REVIEW


def test_the_openapi_schema_declares_the_counts_the_source_is_told(client, db):
    schema = client.get("/api/feeds/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    counts = components["BatchOut"]["properties"]["counts"]
    if "$ref" in counts:
        counts = components[counts["$ref"].rsplit("/", 1)[-1]]
    assert set(counts["properties"]) == {"created", "accepted", "rejected"}
    assert set(counts["required"]) == {"created", "accepted", "rejected"}
    assert "held for a person to check" in counts["properties"]["accepted"]["description"]
    described = schema["info"]["description"]
    assert "accepted (matched to the index or held for a person to check" in described
    assert "at most 5,000 rows" in described
    rejected = components[
        components["BatchOut"]["properties"]["rejected"]["items"]["$ref"].rsplit("/", 1)[-1]
    ]
    outcome = rejected["properties"]["outcome"]
    assert outcome.get("const") == "rejected" or outcome.get("enum") == ["rejected"]
