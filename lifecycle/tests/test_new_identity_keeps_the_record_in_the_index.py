"""A new identity must not drop the child out of the index: the consented archive age (a care leaver
kept to 25) carries over, and a date of birth at which the new record would be archived at once is
refused before the old record is closed (the close is for good)."""

from datetime import date

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from lifecycle.services import archive_age_record, lifecycle_run
from tests.journeys import signed_in
from tests.personas import make_child

FORM = {
    "category": "protection",
    "given_names": "Poppy",
    "family_name": "Marchbank",
    "gender": "female",
    "line_1": "8 Elmhurst Gardens",
    "town": "York",
    "postcode": "YO1 7HH",
    "shielded": "on",
    "confirm": "on",
}


def test_a_care_leavers_new_identity_keeps_the_consented_archive_age_and_is_not_archived_that_night(world):
    # Born 1 March 2014: 19 on the frozen day (3 March 2033), kept to 25 by consent.
    old = make_child(world, date_of_birth=date(2014, 3, 1))
    archive_age_record(child=old, age=25, by=world.lena)
    form = {**FORM, "dob_day": "1", "dob_month": "3", "dob_year": "2014"}
    response = signed_in(world.lena).post(reverse("moves:new_identity", args=[old.pk]), form)
    assert response.status_code == 302
    new = Child.objects.exclude(pk=old.pk).get()
    assert new.archive_age == 25
    report = lifecycle_run()
    new.refresh_from_db()
    assert report.archived == 0 and new.status == RecordStatus.ACTIVE


def test_a_new_identity_whose_date_of_birth_is_past_the_archive_age_is_refused_and_nothing_is_closed(world):
    old = make_child(world)  # 17 on the frozen day
    form = {**FORM, "dob_day": "4", "dob_month": "3", "dob_year": "2010"}  # a slip of the year: 23
    response = signed_in(world.lena).post(reverse("moves:new_identity", args=[old.pk]), form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Create a new identity for this child - ContactPoint</title>" in page
    assert "The date of birth makes the child 18 or older" in page
    old.refresh_from_db()
    assert old.status == RecordStatus.ACTIVE and Child.objects.count() == 1
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildClosed).exists()
