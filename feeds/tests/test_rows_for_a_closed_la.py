"""A feed row for a local authority that has closed is refused by number: no child is put in a closed LA.

Closing an LA shuts out its team and data manager (and is refused while it holds children: session 25),
but feeds still created children there: searchable nationally, with nobody able to shield, transfer,
broker or answer for them, and never movable out. The row is refused with its reason; a close committing
while the run is on its way is seen under a lock on the LA's row before the child is created.
"""

import contextlib
import threading
from datetime import UTC, date, datetime
from typing import Any
from unittest import mock

import time_machine

import feeds.ingest
from accounts.models import Organisation
from administration import organisations as admin_organisations
from administration.tests.support import administrator
from children.models import Child
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from tests.concurrency import postgresql_race, run_together
from tests.personas import build_world

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


class TestRacingTheClose:
    pytestmark = postgresql_race()

    def test_a_row_racing_the_close_of_its_la_never_leaves_a_child_in_a_closed_la(self):
        """Two real sessions: the close counts what the LA holds while the row's child is created but not
        committed. Either the row goes first (the close then sees the child and refuses) or the close does
        (the row is then refused); never a child in a closed LA."""
        with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=True):
            world = build_world()
            simon = administrator(world)
            source = health_source(world, las=[world.south])
            # Southborough's own services have closed: once nothing is allocated to it, it may close.
            Organisation.objects.filter(local_authority=world.south).update(closed_on=date(2026, 11, 1))
            # Each writer waits for the other at its decisive point (the row's child created but not
            # committed, the close about to count), unless the other is held by a lock and cannot come.
            barrier = threading.Barrier(2)

            def meeting() -> None:
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait(timeout=3)

            def met_after(call: Any) -> Any:
                def after(*args: Any, **kwargs: Any) -> Any:
                    result = call(*args, **kwargs)
                    meeting()
                    return result

                return after

            def met_before(call: Any) -> Any:
                def before(*args: Any, **kwargs: Any) -> Any:
                    meeting()
                    return call(*args, **kwargs)

                return before

            def work(index: int) -> object:
                if index == 0:
                    return feed_rows_ingest(source, [feed_row(local_authority=world.south.code)])
                south = Organisation.objects.get(pk=world.south.pk)
                return admin_organisations._organisation_close_locked(south, simon, True)[:2]

            with (
                mock.patch.object(feeds.ingest, "record_create", met_after(feeds.ingest.record_create)),
                mock.patch.object(
                    admin_organisations, "_still_holds", met_before(admin_organisations._still_holds)
                ),
            ):
                report, (held, closed) = run_together(2, work)

        south = Organisation.objects.get(pk=world.south.pk)
        in_south = Child.objects.filter(local_authority=world.south).count()
        assert not (south.closed_on is not None and in_south), (report, held, closed)
        if in_south:
            assert (report.counts["created"], south.closed_on, held) == (1, None, True)
        else:
            assert [(r.row_number, r.reason) for r in report.rejected] == [(1, CLOSED_REASON)]
            assert closed is True
