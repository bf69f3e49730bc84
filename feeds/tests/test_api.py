"""The feeds HTTP API: token authentication, per-row reports, idempotency, and a served, valid OpenAPI schema."""

import json

from openapi_spec_validator import validate

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds.models import FeedToken
from feeds.sources import feed_token_issue, feed_token_revoke
from feeds.tests.factories import feed_row, health_source

URL = "/api/feeds/v1/batches/{}"


def post(client, token, batch_id, rows):
    return client.post(
        URL.format(batch_id),
        data=json.dumps({"rows": rows}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_openapi_schema_is_served_and_valid(client, db):
    response = client.get("/api/feeds/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert "/api/feeds/v1/batches/{batch_id}" in schema["paths"]
    assert "FeedRowIn" in schema["components"]["schemas"]


def test_a_batch_without_a_token_is_refused(client, db):
    assert client.post(URL.format("b"), data="{}", content_type="application/json").status_code == 401


def test_a_revoked_token_is_refused_by_the_api(client, world):
    source = health_source(world)
    token = feed_token_issue(source=source)
    feed_token_revoke(token=FeedToken.objects.get())
    assert post(client, token, "b", [feed_row()]).status_code == 401
    assert Child.objects.count() == 0


def test_a_suspended_source_is_refused_and_the_refusal_audited(client, world):
    from django.utils import timezone

    source = health_source(world)
    token = feed_token_issue(source=source)
    source.user.suspended_at = timezone.now()
    source.user.save()
    response = post(client, token, "b", [feed_row()])
    assert response.status_code == 403
    assert "suspended" in response.json()["detail"]
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor_id=source.user.pk).exists()


def test_a_batch_reports_each_bad_row_by_number_and_ingests_the_rest(client, world):
    source = health_source(
        world, fields=("given_names", "family_name", "date_of_birth", "gender", "nhs_number")
    )
    token = feed_token_issue(source=source)
    rows = [
        feed_row(postcode=None, address_line=None, town=None),
        feed_row(
            record_id="2",
            given_names="Zed",
            nhs_number="943 476 5918",
            postcode=None,
            address_line=None,
            town=None,
        ),
        feed_row(record_id="3", given_names="Kit", family_name="Marlow", nhs_number=None),
    ]
    response = post(client, token, "batch-1", rows)
    assert response.status_code == 200
    body = response.json()
    assert body["counts"]["created"] == 1
    assert body["rejected"] == [
        {"row_number": 2, "outcome": "rejected", "reason": "nhs_number fails its check digit"},
        {
            "row_number": 3,
            "outcome": "rejected",
            "reason": "The row has fields this source is not entitled to supply: address_line, postcode, town",
        },
    ]
    again = post(client, token, "batch-1", rows).json()
    assert again["replayed"] is True and again["counts"] == body["counts"]
    assert Child.objects.count() == 1
    assert (
        client.get(URL.format("batch-1"), headers={"Authorization": f"Bearer {token}"}).json()["status"]
        == "completed"
    )


def test_a_batch_id_reused_for_other_rows_is_a_conflict(client, world):
    token = feed_token_issue(source=health_source(world))
    post(client, token, "b", [feed_row()])
    assert post(client, token, "b", [feed_row(given_names="Other")]).status_code == 409


def test_a_row_missing_its_record_id_is_rejected_alone(client, world):
    token = feed_token_issue(source=health_source(world))
    response = post(client, token, "b", [feed_row(record_id=None), feed_row(record_id="2")])
    assert response.status_code == 200
    assert response.json()["rejected"] == [
        {"row_number": 1, "outcome": "rejected", "reason": "record_id is required"}
    ]
    assert Child.objects.count() == 1


OTHER = {"record_id": "2", "given_names": "Oliver", "family_name": "Quayle", "nhs_number": None}


def test_a_number_where_text_is_expected_is_judged_row_by_row_as_in_a_file(client, world):
    token = feed_token_issue(source=health_source(world))
    response = post(client, token, "b", [feed_row(nhs_number=9434765919), feed_row(**OTHER)])
    assert response.status_code == 200
    assert response.json()["counts"]["created"] == 2


def test_a_batch_id_longer_than_a_batch_id_may_be_is_refused_not_cut_short(client, world):
    token = feed_token_issue(source=health_source(world))
    response = post(client, token, "x" * 100 + "A", [feed_row()])
    assert response.status_code == 422
    assert Child.objects.count() == 0
    assert post(client, token, "x" * 100, [feed_row()]).status_code == 200


def test_a_batch_id_with_a_control_character_is_refused_not_a_server_error(client, world):
    """PostgreSQL text cannot hold a NUL: the lookup was a 500 there."""
    token = feed_token_issue(source=health_source(world))
    for batch_id in ("a%00b", "a%0Ab", "a%1Bb"):
        assert post(client, token, batch_id, [feed_row()]).status_code == 422
        status = client.get(URL.format(batch_id), headers={"Authorization": f"Bearer {token}"})
        assert status.status_code == 422
    assert Child.objects.count() == 0


def test_a_feed_source_whose_organisation_was_closed_is_refused_and_writes_nothing(client, world):
    """Closing an organisation refuses its staff from that day: its machine identity too."""
    from access.permissions import Permission
    from access.policy import decide
    from accounts.directory import organisation_close
    from accounts.models import Role
    from feeds.models import FeedBatch
    from tests.personas import make_user

    source = health_source(world)
    token = feed_token_issue(source=source)
    admin = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    organisation_close(organisation=source.user.organisation, by=admin)
    response = post(client, token, "after-closure", [feed_row()])
    assert response.status_code == 403
    assert Child.objects.count() == 0 and not FeedBatch.objects.exists()
    assert decide(actor=source.user, action=Permission.FeedSubmit).reason == "organisation_closed"
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor_id=source.user.pk).exists()


def test_a_value_that_is_not_text_in_one_row_is_rejected_alone_not_the_whole_batch(client, world):
    """A decimal, an object or a list was refused by the schema for the whole batch (422)."""
    token = feed_token_issue(source=health_source(world))
    bad = [2.5, {"value": "943 476 5919"}, ["943 476 5919"], True]
    rows = [feed_row(record_id=str(n), nhs_number=value) for n, value in enumerate(bad, start=1)]
    rows.append(feed_row(record_id="5", given_names="Oliver", family_name="Quayle", nhs_number=None))
    response = post(client, token, "b", rows)
    assert response.status_code == 200
    body = response.json()
    assert [(r["row_number"], r["reason"]) for r in body["rejected"]] == [
        (1, "nhs_number must be text"),
        (2, "nhs_number must be text"),
        (3, "nhs_number must be text"),
        (4, "nhs_number must be text"),  # not "True"
    ]
    assert body["counts"]["created"] == 1 and Child.objects.count() == 1


def test_a_revoked_token_presented_again_is_audited_against_its_source(client, world):
    """Its use is the sign that it leaked: the refusal names the source (never the token)."""
    source = health_source(world)
    token = feed_token_issue(source=source)
    feed_token_revoke(token=FeedToken.objects.get())
    assert post(client, token, "after-revocation", [feed_row()]).status_code == 401
    [event] = AuditEvent.objects.filter(tag=AuditTag.FeedTokenRefused)
    assert event.actor_id == source.user.pk and event.additional["source"] == source.code
    assert token not in str(event.additional)
    assert post(client, "cpf_" + "x" * 40, "unknown", [feed_row()]).status_code == 401
    assert (
        AuditEvent.objects.filter(tag=AuditTag.FeedTokenRefused).count() == 1
    )  # an unknown one: nobody to name


CENSUS_FIELDS = ["given_names", "family_name", "date_of_birth", "gender", "postcode"]
LINES_FIELDS = ["given_names", "family_name", "date_of_birth", "gender", "address_line", "town"]


def _child_address():
    from children.selectors import child_details

    return child_details(Child.objects.get()).address


def test_a_source_entitled_to_the_postcode_only_never_erases_the_address_lines(client, world):
    health = feed_token_issue(source=health_source(world))
    census = feed_token_issue(source=health_source(world, code="census", fields=CENSUS_FIELDS))
    assert post(client, health, "h1", [feed_row()]).json()["counts"]["created"] == 1
    row = feed_row(record_id="C-1", nhs_number=None, address_line=None, town=None, postcode="LS2 7EZ")
    assert post(client, census, "c1", [row]).json()["rejected"] == []
    assert Child.objects.count() == 1
    address = _child_address()
    assert (address.lines, address.postcode) == (["3 Mill Street", "Leeds"], "LS2 7EZ")


def test_a_source_not_entitled_to_the_postcode_never_erases_it(client, world):
    health = feed_token_issue(source=health_source(world))
    lines_only = feed_token_issue(source=health_source(world, code="lines", fields=LINES_FIELDS))
    post(client, health, "h1", [feed_row()])
    row = feed_row(record_id="L-1", nhs_number=None, postcode=None, address_line="3 Mill St")
    assert post(client, lines_only, "l1", [row]).json()["rejected"] == []
    assert Child.objects.count() == 1
    address = _child_address()
    assert (address.lines, address.postcode) == (["3 Mill St", "Leeds"], "LS2 7EY")
