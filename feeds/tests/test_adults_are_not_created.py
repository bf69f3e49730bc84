"""A feed makes records of children: a person of 18 or over it does not find is rejected by row, never
created. Before, a health feed still listing a care leaver purged at 24 brought them back as an active,
searchable record (archived again the next day, and kept six more years)."""

from datetime import date

from django.urls import reverse

from children.models import Child, RecordStatus
from feeds.ingest import NOT_A_CHILD
from feeds.models import RowOutcome
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_ingest import TODAY, ingest
from lifecycle.services import child_archive, child_purge
from linkage.models import ClericalReview, ReviewReason
from tests.journeys import signed_in
from tests.personas import make_child

EIGHTEEN_TODAY = f"{TODAY.year - 18}-{TODAY.month:02d}-{TODAY.day:02d}"
EIGHTEEN_TOMORROW = f"{TODAY.year - 18}-{TODAY.month:02d}-{TODAY.day + 1:02d}"


def test_a_person_of_18_the_feed_does_not_find_is_rejected_by_row_and_a_child_of_17_is_created(world):
    rows = [
        feed_row(given_names="Oliver", family_name="Ashdown", date_of_birth=EIGHTEEN_TODAY, record_id="r1"),
        feed_row(
            given_names="Ruby", family_name="Penhallow", date_of_birth=EIGHTEEN_TOMORROW, record_id="r2"
        ),
    ]
    report = ingest(health_source(world), rows)
    assert report.counts[RowOutcome.REJECTED] == 1 and report.counts[RowOutcome.CREATED] == 1
    [rejected] = report.rejected
    assert (rejected.row_number, rejected.reason) == (1, NOT_A_CHILD)
    assert "Ashdown" not in rejected.reason and EIGHTEEN_TODAY not in rejected.reason
    assert Child.objects.count() == 1


def test_a_feed_row_about_a_purged_care_leaver_does_not_bring_them_back(world):
    leaver = make_child(world, date_of_birth=date(TODAY.year - 24, 3, 4))
    Child.objects.filter(pk=leaver.pk).update(status=RecordStatus.ARCHIVED)
    assert child_purge(child_id=leaver.pk)
    row = feed_row(date_of_birth=f"{TODAY.year - 24}-03-04", nhs_number="943 476 5919")
    report = ingest(health_source(world), [row])
    assert report.counts[RowOutcome.REJECTED] == 1
    assert not Child.objects.exists()


def test_a_row_resembling_an_archived_adult_cannot_be_made_a_new_record_by_the_review(world):
    adult = make_child(world, date_of_birth=date(TODAY.year - 19, 3, 4))
    assert child_archive(child_id=adult.pk, rule="age", today=TODAY)
    ingest(health_source(world), [feed_row(date_of_birth=f"{TODAY.year - 19}-03-04")])
    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.ARCHIVED
    page = signed_in(world.lena).post(reverse("linkage:review", args=[review.pk]), {"decision": "new_child"})
    assert page.status_code == 400
    assert "This person is 18 or over" in page.content.decode()
    assert not Child.objects.filter(status=RecordStatus.ACTIVE).exists()
