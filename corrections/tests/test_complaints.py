"""Complaints: recorded by the owning LA team, sealed, tracked through statuses to an outcome with dates."""

from datetime import date

import pytest
from django.urls import reverse

from audit.tags import AuditTag
from children.models import Child, RecordStatus
from corrections.models import Complaint, ComplaintStatus
from corrections.services import complaint_version
from corrections.tests.support import complaint_from_the_child, events
from tests.journeys import signed_in
from tests.other_la import main_of
from tests.personas import make_user

NEW = {
    "complainant": "parent_carer",
    "about": "use",
    "received_day": "2",
    "received_month": "11",
    "received_year": "2026",
    "summary": "Mother asks why a youth service looked at the record",
}

# Closing a complaint received on 2 November 2026 (`complaint_from_the_child`), acknowledged and upheld.
CLOSED_UPHELD = {
    "status": "closed",
    "acknowledged_day": "3",
    "acknowledged_month": "11",
    "acknowledged_year": "2026",
    "outcome": "upheld",
    "outcome_day": "20",
    "outcome_month": "11",
    "outcome_year": "2026",
    "outcome_detail": "School corrected",
}


def test_the_la_team_records_a_complaint_sealed_and_audited(world, child):
    client = signed_in(world.lena)
    response = client.post(reverse("corrections:complaint_new", args=[child.pk]), NEW)
    complaint = Complaint.objects.get()
    assert response["Location"] == reverse("corrections:complaint", args=[complaint.pk])
    assert complaint.status == ComplaintStatus.RECEIVED and complaint.received_on == date(2026, 11, 2)
    raw = bytes(Complaint.objects.values_list("summary", flat=True).get())
    assert b"youth service" not in raw
    [event] = events(AuditTag.ComplaintRecorded, complaint_id=str(complaint.pk))
    assert event.child_id == child.pk and "youth" not in str(event.additional)
    page = client.get(reverse("corrections:complaint", args=[complaint.pk])).content.decode()
    assert "Mother asks why a youth service looked at the record" in page
    assert events(AuditTag.ComplaintOpened, complaint_id=str(complaint.pk))
    listed = client.get(reverse("corrections:complaints")).content.decode()
    assert "A parent or carer" in listed and "youth service" not in listed
    assert events(AuditTag.ComplaintListViewed)


def test_a_complaint_is_tracked_to_an_outcome_with_dates(world, child):
    complaint = complaint_from_the_child(world, child)
    client = signed_in(world.lena)
    path = reverse("corrections:complaint", args=[complaint.pk])
    client.post(
        path,
        {
            "status": "acknowledged",
            "acknowledged_day": "3",
            "acknowledged_month": "11",
            "acknowledged_year": "2026",
            "version": complaint_version(complaint),
        },
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACKNOWLEDGED and complaint.acknowledged_on == date(2026, 11, 3)
    client.post(path, {**CLOSED_UPHELD, "version": complaint_version(complaint)})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome, complaint.outcome_on) == (
        "closed",
        "upheld",
        date(2026, 11, 20),
    )
    assert [e.additional["status"] for e in events(AuditTag.ComplaintUpdated)] == ["acknowledged", "closed"]
    page = client.get(path).content.decode()
    assert "Upheld on 20 November 2026" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "acknowledged"}, "Enter the date the complaint was acknowledged"),
        (
            {
                "status": "acknowledged",
                "acknowledged_day": "1",
                "acknowledged_month": "11",
                "acknowledged_year": "2026",
            },
            "The date the complaint was acknowledged must be on or after 2 November 2026",
        ),
        (
            {
                "status": "closed",
                "acknowledged_day": "3",
                "acknowledged_month": "11",
                "acknowledged_year": "2026",
            },
            "Select the outcome",
        ),
        (
            {
                "status": "closed",
                "acknowledged_day": "3",
                "acknowledged_month": "11",
                "acknowledged_year": "2026",
                "outcome": "upheld",
            },
            "Enter the outcome date",
        ),
        ({"status": "sideways"}, "Select where the complaint has got to"),
    ],
)
def test_progress_needs_the_dates_and_outcome_that_go_with_it(world, child, data, message):
    complaint = complaint_from_the_child(world, child)
    page = (
        signed_in(world.lena)
        .post(
            reverse("corrections:complaint", args=[complaint.pk]),
            {**data, "version": complaint_version(complaint)},
        )
        .content.decode()
    )
    assert message in page and "<title>Error: " in page
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED
    assert not events(AuditTag.ComplaintUpdated)


def test_the_received_date_is_a_govuk_date(world, child):
    page = (
        signed_in(world.lena)
        .post(reverse("corrections:complaint_new", args=[child.pk]), {**NEW, "received_month": "13"})
        .content.decode()
    )
    assert "must be a real date" in page
    assert not Complaint.objects.exists()


def test_another_las_team_cannot_record_read_or_progress_it(world, child):
    complaint = complaint_from_the_child(world, child)
    stella = signed_in(make_user("stella", world.south, role="la_team"))
    response = stella.post(reverse("corrections:complaint_new", args=[child.pk]), NEW)
    # by id alone: refused, and told nothing of the child (review, session 37)
    assert response.status_code == 403 and 'data-reason="not_found_by_search"' in response.content.decode()
    assert world.north.name not in main_of(response)
    response = stella.get(reverse("corrections:complaint", args=[complaint.pk]))
    assert response.status_code == 403 and "school on the record" not in response.content.decode()
    assert "Child or young person" not in stella.get(reverse("corrections:complaints")).content.decode()
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status", "reason"),
    [
        ("alice", 403, "role_not_permitted"),
        ("dara", 403, "role_not_permitted"),
        ("nadia", 403, "role_not_permitted"),
        ("sam", 403, "suspended"),
        ("tom", 302, None),
    ],
)
def test_only_the_la_team_handles_complaints(world, child, who, status, reason):
    complaint = complaint_from_the_child(world, child)
    for path in (
        reverse("corrections:complaint_new", args=[child.pk]),
        reverse("corrections:complaint", args=[complaint.pk]),
    ):
        response = signed_in(getattr(world, who)).post(path, NEW)
        assert response.status_code == status
        if reason:
            assert f'data-reason="{reason}"' in response.content.decode()
    assert Complaint.objects.count() == 1


def test_a_complaint_about_a_record_closed_for_a_new_identity_is_neither_listed_nor_opened(world, child):
    complaint = complaint_from_the_child(world, child)
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    client = signed_in(world.lena)
    listed = client.get(reverse("corrections:complaints")).content.decode()
    assert reverse("corrections:complaint", args=[complaint.pk]) not in listed
    response = client.get(reverse("corrections:complaint", args=[complaint.pk]))
    page = response.content.decode()
    assert response.status_code == 403 and 'data-reason="closed"' in page
    assert "school on the record" not in page
    assert not events(AuditTag.ComplaintOpened, complaint_id=str(complaint.pk))


# \x1c-\x1f and \x85 are control characters that str.split() takes for whitespace.
@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\x07", "\x1c", "\x1f", "\x85"])
def test_a_complaint_summary_with_invisible_characters_is_refused_and_nothing_is_recorded(
    world, child, hidden
):
    """The summary is read by the LA team and printed in the subject's own access report: a reversed or
    hidden passage would read differently from what is stored, as a correction's reason would."""
    client = signed_in(world.lena)
    page = client.post(
        reverse("corrections:complaint_new", args=[child.pk]),
        {**NEW, "summary": f"Mother asks why {hidden}a youth service looked"},
    ).content.decode()
    assert "The summary contains control or invisible characters" in page
    assert not Complaint.objects.exists()
    assert not events(AuditTag.ComplaintRecorded)


def test_a_complaint_summary_over_several_lines_is_recorded_as_written(world, child):
    client = signed_in(world.lena)
    client.post(
        reverse("corrections:complaint_new", args=[child.pk]),
        {**NEW, "summary": "Mother asks why\r\na youth service looked\r\n\r\nat the record"},
    )
    complaint = Complaint.objects.get()
    page = client.get(reverse("corrections:complaint", args=[complaint.pk])).content.decode()
    assert "Mother asks why<br>a youth service looked<br><br>at the record" in page


def test_an_outcome_with_invisible_characters_is_refused_and_the_complaint_stays_open(world, child):
    complaint = complaint_from_the_child(world, child)
    client = signed_in(world.lena)
    page = client.post(
        reverse("corrections:complaint", args=[complaint.pk]),
        {
            **CLOSED_UPHELD,
            "outcome_detail": "School \u202edetcerroc",
            "version": complaint_version(complaint),
        },
    ).content.decode()
    assert "What was decided contains control or invisible characters" in page
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED
    assert not events(AuditTag.ComplaintUpdated)
