"""An LA team's period-wide reports read its own LA's events, not every LA's events in the period.

The scope (`_in_scope`: events about the LA's children, or by its organisations' staff) was one OR of two
subqueries, tested row by row against every event of the period nationally; `organisation_id` had no
index. Each part is now read through its own index (the child's id; the organisation and time) and the
two joined by event id.
"""

from datetime import date, timedelta

from django.core.paginator import Paginator

from reports.reports import PAGE_SIZE, activity_in_scope, event_summary, unexplained_views, user_activity
from reports.tests.audit_reads import UNRELATED_EVENTS, audit_rows_read, other_las_traffic, postgresql_only
from reports.tests.reporting import viewed

OWN_EVENTS_READ_AT_MOST = 60


def _last_month() -> dict[str, date]:
    today = date.today()
    return {"date_from": today - timedelta(days=30), "date_to": today}


def _paged(events):
    def run():
        page = Paginator(events, PAGE_SIZE).get_page(1)
        return page.paginator.count, list(page.object_list)

    return run


@postgresql_only
def test_the_activity_summary_reads_only_the_las_own_events(world, child):
    viewed(child, world.alice)
    viewed(child, world.bob)  # another LA's person viewing Northshire's child: in Northshire's scope
    other_las_traffic(world)  # after: the report's own events are the oldest

    events = activity_in_scope(fetched_by=world.lena, **_last_month())
    read = audit_rows_read(lambda: list(event_summary(events=events)))

    assert read < OWN_EVENTS_READ_AT_MOST, f"read {read} audit rows, {UNRELATED_EVENTS} of them another LA's"


@postgresql_only
def test_the_unexplained_report_reads_only_the_las_own_events(world, child):
    viewed(child, world.alice)
    viewed(child, world.bob)
    other_las_traffic(world)  # after: the report's own events are the oldest

    read = audit_rows_read(_paged(unexplained_views(fetched_by=world.lena, **_last_month())))

    assert read < OWN_EVENTS_READ_AT_MOST, f"read {read} audit rows, {UNRELATED_EVENTS} of them another LA's"


@postgresql_only
def test_the_unbounded_scope_reads_only_the_las_own_events(world, child):
    viewed(child, world.alice)
    other_las_traffic(world)  # after: the report's own events are the oldest

    read = audit_rows_read(lambda: list(activity_in_scope(fetched_by=world.lena)))

    assert read < OWN_EVENTS_READ_AT_MOST, f"read {read} audit rows, {UNRELATED_EVENTS} of them another LA's"


def test_the_scope_is_the_same_answer(world, child):
    """Its own children's events whoever acted, its own people's events, never another LA's alone."""
    other_las_traffic(world, events=2)
    viewed(child, world.alice)
    viewed(child, world.bob)

    in_scope = activity_in_scope(fetched_by=world.lena)
    listed = sorted((e.tag, e.actor_id, e.child_id) for e in in_scope)

    assert ("child:record:viewed", world.bob.pk, child.pk) in listed
    assert ("child:record:viewed", world.alice.pk, child.pk) in listed
    assert all(e.child_id == child.pk or e.organisation_id != world.bob.organisation_id for e in in_scope)
    assert in_scope.count() == len(listed) == len({e.pk for e in in_scope})
    assert [e.actor_id for e in user_activity(subject=world.bob, fetched_by=world.lena)] == [world.bob.pk]
