"""The only export: an audited CSV of counts by day, tag and organisation, never rows."""

import csv
from datetime import timedelta
from io import StringIO

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from reports.reports import DEFAULT_SUMMARY_DAYS
from reports.tests.reporting import DISTINCTIVE_FAMILY, DISTINCTIVE_GIVEN, viewed
from tests.journeys import signed_in
from tests.personas import make_child


def _rows(response):
    return list(csv.reader(StringIO(response.content.decode())))


def test_the_export_is_a_count_by_day_tag_and_organisation(world, child):
    viewed(child, world.alice)
    viewed(child, world.alice)
    viewed(child, world.bob)
    response = signed_in(world.nadia).get(reverse("audit:export"), {"report": "child", "child": child.pk})
    today = timezone.localdate().isoformat()
    assert _rows(response) == [
        ["day", "tag", "organisation", "count"],
        [today, "child:record:created", "None", "1"],
        [today, "child:record:viewed", "Northshire Children's Services", "2"],
        [today, "child:record:viewed", "South Street Surgery", "1"],
    ]


def test_the_export_is_a_no_store_attachment(world):
    response = signed_in(world.lena).get(reverse("audit:export"))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]


def test_the_export_attempt_is_audited_with_its_filter(world):
    signed_in(world.lena).get(
        reverse("audit:export"), {"report": "user", "user": world.alice.pk, "date_from": "2026-01-01"}
    )
    event = AuditEvent.objects.get(tag=AuditTag.ReportExported)
    assert event.actor == world.lena
    assert event.additional == {
        "actor_role": "la_team",
        "report": "user",
        "rows": 0,
        "from": "2026-01-01",
        "to": None,
        "subject_id": world.alice.pk,
    }


def test_a_child_export_is_audited_against_the_child(world, child):
    signed_in(world.lena).get(reverse("audit:export"), {"report": "child", "child": child.pk})
    assert AuditEvent.objects.get(tag=AuditTag.ReportExported).child_id == child.pk


def test_the_export_holds_no_names_or_ids_of_children(world):
    child = make_child(world, given_names=DISTINCTIVE_GIVEN, family_name=DISTINCTIVE_FAMILY)
    viewed(child, world.alice)
    response = signed_in(world.nadia).get(reverse("audit:export"))
    assert response.status_code == 200
    assert ["day", "tag", "organisation", "count"] in _rows(response)
    assert any(row[1] == "child:record:viewed" for row in _rows(response))  # the view is counted
    body = response.content.decode()
    assert DISTINCTIVE_FAMILY not in body
    assert str(child.pk) not in body
    assert child.index_number not in body


def test_the_unexplained_export_counts_only_unexplained_views(world, child):
    viewed(child, world.bob)
    rows = _rows(signed_in(world.lena).get(reverse("audit:export"), {"report": "unexplained"}))
    assert [r[1:] for r in rows[1:]] == [["child:record:viewed", "South Street Surgery", "1"]]


def test_the_la_teams_export_is_limited_to_its_la(world):
    south_child = make_child(world, given_names="Noah", family_name="Begum", la=world.south)
    viewed(south_child, world.olivia)
    rows = _rows(signed_in(world.lena).get(reverse("audit:export")))
    assert not any(r[2] == "Southborough Police" for r in rows)
    national = _rows(signed_in(world.nadia).get(reverse("audit:export")))
    assert any(r[2] == "Southborough Police" for r in national)


def test_an_unknown_report_exports_the_default_summary(world):
    response = signed_in(world.lena).get(reverse("audit:export"), {"report": "everything"})
    assert response.status_code == 200
    assert AuditEvent.objects.get(tag=AuditTag.ReportExported).additional["report"] == "activity"


def test_a_malformed_subject_is_not_found(world):
    client = signed_in(world.lena)
    assert client.get(reverse("audit:export"), {"report": "user", "user": "x"}).status_code == 404
    assert client.get(reverse("audit:export"), {"report": "child", "child": "x"}).status_code == 404


def test_spreadsheet_formulas_in_organisation_names_are_neutralised(world, child):
    world.south_gp.name = "=HYPERLINK(1)"
    world.south_gp.save()
    viewed(child, world.bob)
    body = signed_in(world.nadia).get(reverse("audit:export")).content.decode()
    assert "'=HYPERLINK(1)" in body


def test_the_default_summary_covers_the_last_30_days(world, child):
    signed_in(world.lena).get(reverse("audit:export"))
    since = (timezone.localdate() - timedelta(days=DEFAULT_SUMMARY_DAYS)).isoformat()
    assert AuditEvent.objects.get(tag=AuditTag.ReportExported).additional["from"] == since
