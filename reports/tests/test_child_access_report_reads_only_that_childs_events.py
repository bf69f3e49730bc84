"""One child's access report reads that child's events, not the whole audit log.

The report lists the events filed under any id the child carries on and the searches that returned it
(`SearchAppearance`). Asked as one condition, `child_id IN ids OR id IN (the searches)`, PostgreSQL has
no index path for the OR: the page (newest first) walked the log backwards from its newest event, and the
Paginator's count scanned it whole, so one child's page cost a read of every event nationally. Each part
is now read through its own index and the two joined by event id.
"""

from django.core.paginator import Paginator
from django.urls import reverse

from linkage.merging import child_merge
from reports.reports import PAGE_SIZE, child_access
from reports.tests.audit_reads import UNRELATED_EVENTS, audit_rows_read, other_las_traffic, postgresql_only
from reports.tests.reporting import searched, viewed
from tests.journeys import signed_in
from tests.personas import make_child

OWN_EVENTS_READ_AT_MOST = 40


def _page_and_count(child, reader):
    def run():
        page = Paginator(child_access(child=child, fetched_by=reader), PAGE_SIZE).get_page(1)
        return page.paginator.count, list(page.object_list)

    return run


@postgresql_only
def test_the_childs_page_and_count_read_only_its_own_events(world, child):
    viewed(child, world.alice)
    searched(world.bob)
    other_las_traffic(world)  # after: the report's own events are the oldest

    read = audit_rows_read(_page_and_count(child, world.lena))

    assert read < OWN_EVENTS_READ_AT_MOST, f"read {read} audit rows, {UNRELATED_EVENTS} of them another LA's"


@postgresql_only
def test_the_childs_summary_download_reads_only_its_own_events(world, child):
    viewed(child, world.alice)
    other_las_traffic(world)  # after: the report's own events are the oldest
    client = signed_in(world.lena)

    read = audit_rows_read(
        lambda: client.get(reverse("audit:export"), {"report": "child", "child": str(child.pk)})
    )

    # The download's own audit writes and checks read a few rows too; the log itself is not read.
    assert read < OWN_EVENTS_READ_AT_MOST, f"read {read} audit rows, {UNRELATED_EVENTS} of them another LA's"


@postgresql_only
def test_a_merged_childs_report_reads_only_the_events_of_the_identities_it_carries(world):
    keep = make_child(world)
    duplicate = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    viewed(duplicate, world.bob)
    child_merge(survivor=keep, duplicate=duplicate, by=world.lena, reason="Synthetic duplicate")
    other_las_traffic(world)  # after: the report's own events are the oldest

    read = audit_rows_read(_page_and_count(keep, world.lena))

    assert read < OWN_EVENTS_READ_AT_MOST, f"read {read} audit rows, {UNRELATED_EVENTS} of them another LA's"


def test_the_report_lists_the_childs_events_and_the_searches_that_found_it_once_each_newest_first(
    world, child
):
    """The same answer on SQLite and PostgreSQL: events under its ids and the searches returning it."""
    viewed(child, world.alice)
    searched(world.bob)
    viewed(child, world.bob)
    searched(world.bob, family_name="Nobodyhere")
    other_las_traffic(world, events=3)

    events = child_access(child=child, fetched_by=world.lena)
    listed = [(e.tag, e.actor_id) for e in events]

    assert listed == [
        ("child:record:viewed", world.bob.pk),
        ("child:search:performed", world.bob.pk),
        ("child:record:viewed", world.alice.pk),
        ("child:record:created", None),
    ]
    assert events.count() == 4
    assert [e.pk for e in events] == sorted((e.pk for e in events), reverse=True)
