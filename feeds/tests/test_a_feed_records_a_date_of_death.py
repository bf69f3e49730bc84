"""A feed source entitled to it records a child's date of death, and the record is archived a year later.

The lifecycle archives a record one year after a recorded death (domain.md, docs/LIFECYCLE.md), but
nothing in production could record one: no feed field, no correction, no page; only the synthetic data
generator wrote `date_of_death`, so a dead child's record stayed active and searchable until the 18th
birthday. Now `date_of_death` is a feed field like the others: a source declares it among its fields
(one not entitled to it has the row rejected), the value is a real date (YYYY-MM-DD), not in the future
and not before the row's date of birth (the row rejected by number with the reason, never the value, the
rest of the batch unaffected), and it is written on the update path only, with its provenance: the index
does not create a record of a child who has died, so a row that finds no record to update is rejected
saying so (and a clerical review's "new child" of such a row is refused). Synthetic people.
"""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Organisation, OrganisationKind
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.selectors import child_details
from feeds.models import FEED_FIELDS, FeedRow, FeedSource, FieldProvenance, RowOutcome
from feeds.review import NewChildRefused, ReviewDecision, review_decide
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source, second_feed_row
from feeds.validation import record_from_json, record_to_json, row_validate
from lifecycle.models import Archive
from lifecycle.services import lifecycle_run
from linkage.models import ClericalReview
from tests.journeys import signed_in, state_purpose
from tests.pages import rendered
from vault.sealing import Sealer

DIED = "2026-11-20"  # the factories' batches are ingested on 1 December 2026
NOT_DEAD = [name for name in FEED_FIELDS if name != "date_of_death"]


def _recorded(world) -> tuple[Child, object]:
    """A child the health feed created, and the source."""
    source = health_source(world)
    report = feed_rows_ingest(source, [feed_row()], batch_id="b0")
    assert report.counts[RowOutcome.CREATED] == 1
    return Child.objects.select_related("data_key").get(), source


def _death(child: Child) -> date | None:
    return child_details(child, Sealer(child.data_key)).date_of_death


def test_date_of_death_is_a_feed_field_a_source_declares():
    assert "date_of_death" in FEED_FIELDS


def test_a_source_entitled_to_it_records_a_death_on_the_childs_record_with_its_provenance(world):
    child, source = _recorded(world)
    report = feed_rows_ingest(source, [feed_row(date_of_death=DIED)], batch_id="b1")
    assert report.counts[RowOutcome.UPDATED] == 1 and report.rejected == []
    child.refresh_from_db()
    assert _death(child) == date(2026, 11, 20)
    said = FieldProvenance.objects.get(child=child, field="date_of_death")
    assert said.source == source and Sealer(child.data_key).unseal(said, "value") == DIED
    updated = AuditEvent.objects.filter(tag=AuditTag.ChildUpdated, child_id=child.pk).last()
    assert updated is not None and "date_of_death" in updated.additional["columns"]
    # The record page says so, to whoever opens it.
    client = signed_in(world.alice)
    state_purpose(client, child)
    page = rendered(client.get(reverse("children:record", args=[child.pk])), heading="Harriet Pemberton")
    assert "Date of death recorded: 20 November 2026" in page


def test_a_later_row_without_it_does_not_take_the_death_back(world):
    child, source = _recorded(world)
    feed_rows_ingest(source, [feed_row(date_of_death=DIED)], batch_id="b1")
    report = feed_rows_ingest(source, [feed_row(postcode="LS6 2QT")], batch_id="b2")
    assert report.counts[RowOutcome.UPDATED] == 1
    child.refresh_from_db()
    assert _death(child) == date(2026, 11, 20)


def test_a_source_not_entitled_to_it_has_the_row_rejected_and_nothing_written(world):
    source = health_source(world, fields=tuple(NOT_DEAD))
    feed_rows_ingest(source, [feed_row()], batch_id="b0")
    child = Child.objects.select_related("data_key").get()
    report = feed_rows_ingest(source, [feed_row(date_of_death=DIED)], batch_id="b1")
    [rejected] = report.rejected
    assert rejected.row_number == 1 and "date_of_death" in rejected.reason
    assert _death(child) is None
    assert not FieldProvenance.objects.filter(field="date_of_death").exists()


BAD_DEATHS = [
    ("2026-02-30", "date_of_death is not a real date in the form YYYY-MM-DD"),
    ("20/11/2026", "date_of_death is not a real date in the form YYYY-MM-DD"),
    ("2026-W47-5", "date_of_death is not a real date in the form YYYY-MM-DD"),
    ("2026-12-02", "date_of_death is in the future"),
    ("2016-07-20", "date_of_death is before date_of_birth"),
]


@pytest.mark.parametrize(("value", "reason"), BAD_DEATHS, ids=[v for v, _ in BAD_DEATHS])
def test_a_bad_date_of_death_rejects_its_row_by_number_and_the_rest_go_in(world, value, reason):
    child, source = _recorded(world)
    third = feed_row(
        record_id="H-3",
        given_names="Imogen",
        family_name="Fairbairn",
        nhs_number=None,
        date_of_birth="2012-11-30",
    )
    rows = [second_feed_row(), feed_row(date_of_death=value), third]
    report = feed_rows_ingest(source, rows, batch_id="b1")
    assert [(r.row_number, r.reason) for r in report.rejected] == [(2, reason)]
    assert value not in reason
    assert report.counts[RowOutcome.CREATED] == 2
    child.refresh_from_db()
    assert _death(child) is None


def test_a_death_on_the_day_of_birth_is_taken(world):
    record = row_validate(feed_row(date_of_death="2016-07-21"), today=date(2026, 12, 1))
    assert record.date_of_death == date(2016, 7, 21)


def test_a_row_that_would_create_a_new_child_with_a_death_is_rejected_saying_why(world):
    source = health_source(world)
    report = feed_rows_ingest(source, [second_feed_row(), feed_row(date_of_death=DIED)])
    [rejected] = report.rejected
    assert rejected.row_number == 2
    assert rejected.reason == (
        "date_of_death: no record of this child was found to update, and the index does not create "
        "a record of a child who has died"
    )
    assert Child.objects.count() == 1  # the other row's child only
    assert FeedRow.objects.get(row_number=2).child is None


def test_a_review_carries_the_death_and_its_new_child_is_refused(world):
    """A row sent to clerical review keeps its death (sealed with the row); "new child" is refused."""
    record = row_validate(feed_row(date_of_death=DIED), today=date(2026, 12, 1))
    assert record_from_json(record_to_json(record)) == record
    older = {k: v for k, v in record_to_json(record).items() if k != "date_of_death"}
    assert record_from_json(older).date_of_death is None  # a review opened before the field existed
    # A row without a death is the JSON it was before the field existed: its review token is unchanged.
    alive = row_validate(feed_row(), today=date(2026, 12, 1))
    assert "date_of_death" not in record_to_json(alive)
    _recorded(world)
    source = health_source(world, code="census", fields=tuple(FEED_FIELDS))
    # The same child by name and date of birth, with another NHS number: a person decides.
    feed_rows_ingest(source, [feed_row(nhs_number="401 023 2137", date_of_death=DIED)], batch_id="r1")
    review = ClericalReview.objects.get()
    with pytest.raises(NewChildRefused, match="died"):
        review_decide(review=review, decision=ReviewDecision.NEW_CHILD, by=world.dara)
    assert Child.objects.count() == 1


def test_the_lifecycle_archives_the_record_a_year_after_the_death_the_feed_recorded(world):
    child, source = _recorded(world)
    feed_rows_ingest(source, [feed_row(date_of_death=DIED)], batch_id="b1")
    with time_machine.travel(datetime(2027, 11, 19, 9, 0, tzinfo=UTC), tick=False):
        lifecycle_run()
        assert Child.objects.get(pk=child.pk).status == RecordStatus.ACTIVE
    with time_machine.travel(datetime(2027, 11, 20, 9, 0, tzinfo=UTC), tick=False):
        report = lifecycle_run()
    assert report.archived_after_death == 1
    assert Child.objects.get(pk=child.pk).status == RecordStatus.ARCHIVED
    assert Archive.objects.get(child=child).archived_on == date(2027, 11, 20)


def test_a_source_registered_without_naming_its_fields_is_not_entitled_to_record_deaths(world):
    """`manage.py feed_source create` without `--fields` entitles the source to every field but this one: a
    date of death archives the record a year on, so a source supplies it only if named for it."""
    Organisation.objects.create(
        kind=OrganisationKind.HEALTH, name="Health", code="ODS-1", accredited_on=world.north.accredited_on
    )
    call_command(
        "feed_source", "create", "health", "--organisation", "ODS-1", "--las", "LA-N", stdout=StringIO()
    )
    assert sorted(FeedSource.objects.get(code="health").fields) == sorted(NOT_DEAD)
    call_command(
        "feed_source",
        "create",
        "registrations",
        "--organisation",
        "ODS-1",
        "--las",
        "LA-N",
        "--fields",
        "given_names,family_name,date_of_birth,date_of_death",
        stdout=StringIO(),
    )
    assert "date_of_death" in FeedSource.objects.get(code="registrations").fields
