"""Ingest: every row validated and reported by number, good rows never blocked, batches idempotent."""

from datetime import date

import pytest

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from feeds.ingest import BatchConflict
from feeds.models import FeedRow, FieldProvenance, RowOutcome
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source

TODAY = date(2026, 12, 1)


ingest = feed_rows_ingest  # the name the feed and linkage tests import


BAD_ROWS = [
    ({"nhs_number": "943 476 5918"}, "nhs_number fails its check digit"),
    ({"nhs_number": "12345"}, "nhs_number must be 10 digits"),
    ({"postcode": "NOT A CODE"}, "postcode is not in a UK postcode format"),
    ({"date_of_birth": "2016-02-30"}, "date_of_birth is not a real date in the form YYYY-MM-DD"),
    ({"date_of_birth": "21/07/2016"}, "date_of_birth is not a real date in the form YYYY-MM-DD"),
    ({"date_of_birth": "2030-01-01"}, "date_of_birth is in the future"),
    ({"family_name": None}, "family_name is required"),
    ({"given_names": ""}, "given_names is required"),
    ({"gender": "x"}, "gender must be female, male or not_specified"),
    ({"favourite_colour": "blue"}, "field 11 of the row is not one of the feed's fields"),
    # Digits of another script pass str.isdigit() and the check digit, but would file another key.
    (
        {"nhs_number": "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19"},
        "nhs_number must be 10 digits",
    ),
    ({"date_of_birth": "2016-W01-1"}, "date_of_birth is not a real date in the form YYYY-MM-DD"),
    ({"given_names": "Harr\ud800iet"}, "given_names is not valid Unicode text"),
    ({"given_names": "Harr\u202eteiH"}, "given_names contains control or invisible characters"),
    ({"family_name": "Quay\x9ble"}, "family_name contains control or invisible characters"),
    (
        {"family_name": "Quayle2"},
        "family_name may contain only letters, spaces, hyphens, apostrophes and full stops",
    ),
    (
        {"given_names": "\U0001f600"},
        "given_names may contain only letters, spaces, hyphens, apostrophes and full stops",
    ),
    ({"family_name": "- '"}, "family_name has no letters"),
    ({"local_authority": "LA-Z"}, "local_authority is not a known local authority code"),
]


@pytest.mark.parametrize(("change", "reason"), BAD_ROWS, ids=[r for _, r in BAD_ROWS])
def test_feed_row_with_a_bad_field_is_reported_and_rest_ingested(world, change, reason):
    source = health_source(world)
    rows = [
        feed_row(
            record_id="A",
            given_names="Oliver",
            family_name="Quayle",
            nhs_number=None,
            date_of_birth="2014-01-09",
        ),
        feed_row(**change),
        feed_row(
            record_id="C",
            given_names="Imogen",
            family_name="Fairbairn",
            nhs_number=None,
            date_of_birth="2012-11-30",
        ),
    ]
    report = ingest(source, rows)
    assert report.counts[RowOutcome.CREATED] == 2
    assert [(r.row_number, r.reason) for r in report.rejected] == [(2, reason)]
    assert Child.objects.count() == 2


def test_a_rejection_reason_never_repeats_the_submitted_value(world):
    source = health_source(world)
    rows = [
        feed_row(nhs_number="943 476 5918"),
        feed_row(postcode="ZZZ-Pemberton"),
        feed_row(date_of_birth="Pemberton"),
        feed_row(extra_secret_field="Pemberton"),
    ]
    report = ingest(source, rows)
    assert len(report.rejected) == 4
    for row in report.rejected:
        assert "Pemberton" not in row.reason and "5918" not in row.reason


def test_a_new_child_is_created_with_its_source_identifier(world):
    source = health_source(world)
    report = ingest(source, [feed_row()])
    assert report.counts[RowOutcome.CREATED] == 1
    child = Child.objects.get()
    details = child_details(child)
    assert (details.given_names, details.family_name, details.address.postcode) == (
        "Harriet",
        "Pemberton",
        "LS2 7EY",
    )
    assert [(s.scheme, s.value, s.issuer_id) for s in details.source_identifiers] == [
        ("nhs_number", "943 476 5919", source.user.organisation_id)
    ]


def test_resubmitting_a_batch_id_changes_nothing(world):
    source = health_source(world)
    rows = [feed_row(), feed_row(record_id="X", nhs_number="12")]
    first = ingest(source, rows)
    events = AuditEvent.objects.count()
    again = ingest(source, rows)
    assert again.replayed and again.counts == first.counts
    assert Child.objects.count() == 1 and FeedRow.objects.count() == 2
    assert AuditEvent.objects.count() == events


def test_a_batch_id_reused_for_different_content_is_refused(world):
    source = health_source(world)
    ingest(source, [feed_row()])
    with pytest.raises(BatchConflict):
        ingest(source, [feed_row(given_names="Harry")])
    assert Child.objects.count() == 1


def test_each_batch_outcome_is_audited_with_counts_only(world):
    source = health_source(world)
    ingest(source, [feed_row(), feed_row(record_id="Z", postcode="nope")])
    event = AuditEvent.objects.get(tag=AuditTag.FeedBatchIngested)
    assert event.actor_id == source.user.pk
    assert event.additional["counts"] == {
        "created": 1,
        "updated": 0,
        "linked": 0,
        "review": 0,
        "rejected": 1,
    }
    assert "Pemberton" not in str(event.additional)


def test_a_feed_write_into_a_record_archived_or_moved_since_its_decision_is_refused(world, child):
    """Under the row lock: an archived record, or one now in an LA the source does not cover, is never
    written; the ingest then decides the row again (tests/..._races_lifecycle on PostgreSQL)."""
    import pytest

    from children.models import Child, RecordStatus
    from feeds.provenance import ChildChangedSinceDecided, child_update_from_feed
    from feeds.validation import row_validate

    source = health_source(world)
    record = row_validate(feed_row(given_names="Amelia", family_name="Thornton"), today=TODAY)
    with pytest.raises(ChildChangedSinceDecided):
        child_update_from_feed(child=child, record=record, source=source, la_ids=frozenset({world.south.pk}))
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    with pytest.raises(ChildChangedSinceDecided):
        child_update_from_feed(child=child, record=record, source=source)
    assert not FieldProvenance.objects.filter(child=child).exists()
