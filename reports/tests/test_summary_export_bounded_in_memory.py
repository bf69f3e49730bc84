"""The audit summary download is built a chunk at a time, and refused in words past a number of lines.

The national auditor's default summary (all activity in England, the last 30 days, by day, event and
organisation) has a line for each organisation active on each day with each kind of event: tens of
thousands of organisations make millions of lines. `event_summary` read every line into a list of
dictionaries, then a list of rows, then one CSV string, then its bytes, all at once: several gigabytes
for one request, enough to take the worker down. The lines are now read in chunks and written as they
come, and a summary of more than `SUMMARY_MOST_LINES` lines is not built at all (the database is asked
for one line more than the limit, never the rest): the page says to choose a shorter period.
"""

import csv
from io import StringIO

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from reports import reports
from tests.journeys import signed_in

# Five kinds of event by one practitioner today: five lines in their activity summary.
TAGS = (
    AuditTag.SearchPerformed,
    AuditTag.RecordViewed,
    AuditTag.PurposeAsked,
    AuditTag.InboxViewed,
    AuditTag.CorrectionsOwnViewed,
)


def _five_lines(world) -> None:
    for tag in TAGS:
        event_record(tag=tag, actor=world.alice)


def _export(world):
    return signed_in(world.nadia).get(reverse("audit:export"), {"report": "user", "user": world.alice.pk})


def test_a_summary_longer_than_the_limit_is_not_built_and_the_page_says_to_shorten_the_period(
    world, monkeypatch
):
    monkeypatch.setattr(reports, "SUMMARY_MOST_LINES", 3, raising=False)
    monkeypatch.setattr(reports, "SUMMARY_CHUNK", 2, raising=False)
    _five_lines(world)
    with CaptureQueriesContext(connection) as queries:
        response = _export(world)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    body = response.content.decode()
    assert "more than 3 lines" in body
    assert "Choose a shorter period" in body
    # The page asks for the period again, for the same summary (this person's activity).
    form = body[body.index('id="summary-period"') :]
    assert f'name="user" value="{world.alice.pk}"' in form and 'name="report" value="user"' in form
    assert 'name="from_day"' in form and 'name="to_year"' in form
    # The summary's one read of the log asked for one line more than the limit, never the whole summary.
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"].upper()]
    assert grouped and all("LIMIT 4" in sql.upper() for sql in grouped)
    event = AuditEvent.objects.get(tag=AuditTag.ReportExported)
    assert event.additional["refused"] == "too_many_lines"
    assert event.additional["most_lines"] == 3
    assert "rows" not in event.additional


def test_a_summary_of_as_many_lines_as_the_limit_is_downloaded_whole_across_chunks(world, monkeypatch):
    monkeypatch.setattr(reports, "SUMMARY_MOST_LINES", 5, raising=False)
    monkeypatch.setattr(reports, "SUMMARY_CHUNK", 2, raising=False)
    _five_lines(world)
    response = _export(world)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(StringIO(response.content.decode())))
    assert rows[0] == ["day", "event", "tag", "organisation", "count"]
    assert sorted(row[2] for row in rows[1:]) == sorted(str(tag) for tag in TAGS)
    assert {row[3] for row in rows[1:]} == {"Northshire Children's Services"}
    assert AuditEvent.objects.get(tag=AuditTag.ReportExported).additional["rows"] == 5
