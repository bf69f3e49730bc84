"""A feed row for a local authority that has closed is refused by number: no child is put in a closed LA.

Closing an LA shuts out its team and data manager (and is refused while it holds children: session 25),
but feeds still created children there: searchable nationally, with nobody able to shield, transfer,
broker or answer for them, and never movable out. The row is refused with its reason; a close committing
while the run is on its way is seen under a lock on the LA's row before the child is created.
"""

from datetime import date

import feeds.ingest
from accounts.models import Organisation
from children.models import Child
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source

CLOSED_REASON = "local_authority is closed"


def test_a_row_for_a_closed_la_is_refused_by_number_and_the_rest_go_in(world):
    source = health_source(world, las=[world.north, world.south])
    Organisation.objects.filter(pk=world.south.pk).update(closed_on=date(2026, 11, 1))
    rows = [
        feed_row(record_id="S-1", local_authority=world.south.code),
        feed_row(record_id="N-1", given_names="Oliver", nhs_number="401 023 2137"),
    ]
    report = feed_rows_ingest(source, rows)
    assert [(r.row_number, r.reason) for r in report.rejected] == [(1, CLOSED_REASON)]
    assert list(Child.objects.values_list("local_authority_id", flat=True)) == [world.north.pk]


def test_an_la_closed_while_the_row_is_linked_gets_no_child(world, monkeypatch):
    """The run read the LA open; its close committed before the child was created."""
    source = health_source(world)
    real = feeds.ingest.link_decide

    def closed_meanwhile(**kwargs):
        Organisation.objects.filter(pk=world.north.pk).update(closed_on=date(2026, 11, 30))
        return real(**kwargs)

    monkeypatch.setattr(feeds.ingest, "link_decide", closed_meanwhile)
    report = feed_rows_ingest(source, [feed_row()])
    assert [(r.row_number, r.reason) for r in report.rejected] == [(1, CLOSED_REASON)]
    assert not Child.objects.exists()


def test_an_la_closing_later_than_the_feeds_day_still_takes_its_children(world):
    source = health_source(world)
    Organisation.objects.filter(pk=world.north.pk).update(closed_on=date(2027, 3, 31))
    report = feed_rows_ingest(source, [feed_row()])
    assert report.rejected == [] and Child.objects.count() == 1
