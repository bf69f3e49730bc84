"""A clerical review's "new child" never puts a record in a local authority closed since the row was sent.

Feeds refuse a row for a closed LA, and read the LA again under a hold on its row before creating a child
(sessions 25-26: "one hold for every writer allocating children"). A review's "new child" creates the
child in the row's LA too (`feeds.ingest.record_create`), and did neither. A review does not stop an LA
from closing (only its children and open organisations do), and a row held because it resembles a
shielded child of another LA is decided by that LA's team, who are not shut out when the row's LA closes:
"None of these" made a record in the closed LA, whose team and data manager can no longer sign in to
shield, transfer or answer for it.
"""

import contextlib
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

import feeds.review
from accounts.models import Organisation, OrganisationKind, Role
from administration import organisations as admin_organisations
from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds.review import NewChildRefused, ReviewDecision, review_decide
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_ingest import ingest
from linkage.models import ClericalReview, ReviewStatus
from tests.concurrency import postgresql_race, run_together
from tests.personas import build_world, make_child, make_user
from tests.review_pages import decision_posted


def _east(world) -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.LOCAL_AUTHORITY,
        code="LA-E",
        name="Eastmere Council",
        accredited_on=world.north.accredited_on,
    )


def _held_for_south(world, east: Organisation) -> ClericalReview:
    make_child(world, la=world.south, shielded=True)  # Amelia Thornton, NHS 943 476 5919
    source = health_source(world, las=[east])
    ingest(
        source,
        [
            feed_row(
                given_names="Amelia",
                family_name="Thornton",
                date_of_birth="2015-03-04",
                local_authority="LA-E",
            )
        ],
        "b1",
    )
    review = ClericalReview.objects.get()
    assert review.local_authority_id == world.south.pk and review.shielded_hold
    return review


def _held_for_south_about_an_east_row(world):
    """A row for Eastmere (an LA with no children yet) held for Southborough's team: it resembles their
    shielded child. Then Eastmere closes (nothing it holds stops it)."""
    east = _east(world)
    review = _held_for_south(world, east)
    Organisation.objects.filter(pk=east.pk).update(closed_on=timezone.localdate() - timedelta(days=1))
    return east, review


def test_none_of_these_on_a_row_for_a_closed_la_makes_no_record_and_says_why(world):
    east, review = _held_for_south_about_an_east_row(world)
    team = make_user("sian", world.south, Role.LA_TEAM)
    page = decision_posted(team, review, decision="new_child")
    assert page.status_code == 400  # the review page shown again with the error
    assert "The local authority this record is for has closed" in page.content.decode()
    assert not Child.objects.filter(local_authority=east).exists()
    assert Child.objects.count() == 1  # the shielded child alone
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    assert not AuditEvent.objects.filter(tag=AuditTag.ReviewDecided).exists()


def test_the_service_refuses_it_too(world):
    east, review = _held_for_south_about_an_east_row(world)
    team = make_user("sian", world.south, Role.LA_TEAM)
    with pytest.raises(NewChildRefused, match="has closed"):
        review_decide(review=review, decision=ReviewDecision.NEW_CHILD, by=team)
    assert not Child.objects.filter(local_authority=east).exists()
    # "Not a match" is still open to the team.
    review_decide(review=review, decision=ReviewDecision.NOT_A_MATCH, by=team)
    review.refresh_from_db()
    assert review.status == ReviewStatus.NOT_A_MATCH


def test_an_la_still_open_gets_its_new_child_as_before(world):
    east, review = _held_for_south_about_an_east_row(world)
    Organisation.objects.filter(pk=east.pk).update(closed_on=None)
    team = make_user("sian", world.south, Role.LA_TEAM)
    child = review_decide(review=review, decision=ReviewDecision.NEW_CHILD, by=team)
    assert child is not None and child.local_authority_id == east.pk and child.shielded


class TestRacingTheClose:
    pytestmark = postgresql_race()

    def test_a_new_child_racing_the_close_of_its_la_never_leaves_a_child_in_a_closed_la(self):
        """Two real sessions: the close counts what Eastmere holds while the review's child is created but
        not committed. Either the decision goes first (the close then sees the child and is refused) or
        the close does (the decision is then refused); never a child in a closed LA."""
        with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=True):
            world = build_world()
            simon = administrator(world)
            east = _east(world)
            review = _held_for_south(world, east)
            team = make_user("sian", world.south, Role.LA_TEAM)
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
                    try:
                        return review_decide(review=review, decision=ReviewDecision.NEW_CHILD, by=team)
                    except NewChildRefused as refused:
                        return refused
                closing = Organisation.objects.get(pk=east.pk)
                return admin_organisations._organisation_close_locked(closing, simon, True)[:2]

            with (
                mock.patch.object(feeds.review, "record_create", met_after(feeds.review.record_create)),
                mock.patch.object(
                    admin_organisations, "_still_holds", met_before(admin_organisations._still_holds)
                ),
            ):
                decided, (held, closed) = run_together(2, work)

        east.refresh_from_db()
        in_east = Child.objects.filter(local_authority=east).count()
        assert not (east.closed_on is not None and in_east), (decided, held, closed)
        if in_east:
            assert (east.closed_on, held) == (None, True)
        else:
            assert isinstance(decided, NewChildRefused) and closed is True
