"""The reports over everything in a reader's scope (unexplained views, the activity and unexplained
summaries) read a bounded period: the last 30 days unless a period is chosen, and at most a year. A page
or a download with no period, or with 1 January 2000 to 2999, must not count or group the whole audit log
(nationally, hundreds of millions of views a year, each probed twice) at every request."""

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from reports.forms import MAX_SCOPE_WIDE_DAYS
from reports.reports import DEFAULT_SUMMARY_DAYS
from reports.tests.reporting import involved, viewed
from tests.journeys import signed_in

LONG_AGO = timedelta(days=2 * 365)


def _viewed_long_ago(child, by) -> None:
    with time_machine.travel(timezone.now() - LONG_AGO, tick=False):
        viewed(child, by)


def _listed(page: str) -> int:
    return page.count('data-label="Event"')


def test_the_unexplained_page_reads_the_last_30_days_unless_a_period_is_chosen(world, child):
    _viewed_long_ago(child, world.alice)
    viewed(child, world.alice)
    page = signed_in(world.nadia).get(reverse("audit:unexplained")).content.decode()
    assert _listed(page) == 1
    assert f"last {DEFAULT_SUMMARY_DAYS} days" in page


def test_the_unexplained_page_lists_an_older_view_in_a_period_chosen_around_it(world, child):
    _viewed_long_ago(child, world.alice)
    day = timezone.localdate() - LONG_AGO
    page = (
        signed_in(world.nadia)
        .get(reverse("audit:unexplained"), {"date_from": day.isoformat(), "date_to": day.isoformat()})
        .content.decode()
    )
    assert _listed(page) == 1


def test_a_period_longer_than_a_year_is_refused_on_the_unexplained_page(world, child):
    _viewed_long_ago(child, world.alice)
    viewed(child, world.alice)
    page = (
        signed_in(world.nadia)
        .get(reverse("audit:unexplained"), {"date_from": "2000-01-01", "date_to": "2999-12-31"})
        .content.decode()
    )
    assert f"The period can be at most {MAX_SCOPE_WIDE_DAYS} days" in page
    assert _listed(page) == 1  # the default period, not the whole log


def test_every_query_of_the_unexplained_page_over_the_log_is_bounded_in_time(world, child):
    viewed(child, world.alice)
    client = signed_in(world.nadia)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("audit:unexplained"))
    counted = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "audit_auditevent" in q["sql"]]
    assert counted
    assert all('"occurred_at" >=' in sql for sql in counted), counted


def test_the_summary_of_all_activity_reads_at_most_a_year_whatever_the_filter(world, child):
    _viewed_long_ago(child, world.alice)
    viewed(child, world.alice)
    for report in ("activity", "unexplained"):
        body = (
            signed_in(world.nadia)
            .get(reverse("audit:export"), {"report": report, "date_from": "2000-01-01"})
            .content.decode()
        )
        days = {line.split(",")[0] for line in body.splitlines()[1:]}
        old = (timezone.localdate() - LONG_AGO).isoformat()
        assert old not in days, report
        assert timezone.localdate().isoformat() in days, report


def test_a_childs_own_report_still_reads_its_whole_history(world, child):
    _viewed_long_ago(child, world.alice)
    page = signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk])).content.decode()
    assert date_format(timezone.localtime(timezone.now() - LONG_AGO), "j M Y") in page


def test_the_unexplained_page_does_not_say_the_viewer_never_recorded_an_involvement(world, child):
    """A view followed by an involvement stays listed (only an earlier one explains it): the page must not
    tell the reviewer that the person has never recorded one, which they can see is untrue, and dismiss."""
    viewed(child, world.alice)
    involved(child, world.alice)
    page = signed_in(world.lena).get(reverse("audit:unexplained")).content.decode()
    assert _listed(page) == 1
    assert "has never recorded an involvement" not in page
    assert "had not recorded an involvement with the child before it" in page
