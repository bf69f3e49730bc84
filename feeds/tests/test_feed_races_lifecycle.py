"""A feed row decided "update this child" while the record is closed for a new identity, archived, or
transferred to an LA the source does not cover (PostgreSQL: real writers).

`link_decide` reads candidates without a row lock; the write (`feeds.provenance.child_update_from_feed`)
locks the child's row and, before, re-checked nothing, so the feed wrote into the closed identity, the
archived record or the other LA's record. It now re-checks status and LA under the lock and the row is
decided again (held, or sent to review). Each race test pauses the feed just after `link_decide`
(at most PAUSE seconds) while the other writer commits on its own connection; the assertions are on the
order of committed effects, so they hold whoever wins. Each race has its control, one after the other.
"""

import threading
from datetime import date
from typing import Any

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.records import Address, ChildDetails, Gender
from children.selectors import child_details
from feeds import ingest as ingest_module
from feeds.models import FeedRow, RowOutcome
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_ingest import ingest
from lifecycle.identity import NewIdentityCategory, new_identity_create
from lifecycle.moves import transfer_accept, transfer_request
from lifecycle.services import child_archive
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child, make_user

pytestmark = postgresql_race()

TODAY = date(2026, 12, 1)
PAUSE = 3.0

# The persona child (Amelia Thornton, North, NHS 943 476 5919) as a health feed row with a new
# address: a clear match in an LA the source is entitled to, so an automatic update.
MOVED = feed_row(
    given_names="Amelia",
    family_name="Thornton",
    date_of_birth="2015-03-04",
    postcode="LS6 1AA",
    address_line="4 New Road",
    nhs_number="943 476 5919",
)


def _feed_paused_after_decision(monkeypatch, *, feed, other) -> list[Any]:
    """`feed` paused just after `link_decide` returns until `other` has finished (or PAUSE passed)."""
    decided, done = threading.Event(), threading.Event()
    original = ingest_module.link_decide

    def then_pause(**kwargs: Any) -> Any:
        decision = original(**kwargs)
        decided.set()
        done.wait(timeout=PAUSE)
        return decision

    monkeypatch.setattr(ingest_module, "link_decide", then_pause)

    def work(index: int) -> Any:
        if index == 0:
            return feed()
        assert decided.wait(timeout=30)
        try:
            return other()
        finally:
            done.set()

    return run_together(2, work)


def _ids(child, *tags) -> list[tuple[int, str]]:
    return list(
        AuditEvent.objects.filter(child_id=child.pk, tag__in=[str(t) for t in tags])
        .order_by("id")
        .values_list("id", "tag")
    )


def _updated_after(child, tag, by) -> list[int]:
    """Ids of feed updates (`child:record:updated` by the source) committed after the `tag` event."""
    (marker,) = AuditEvent.objects.filter(child_id=child.pk, tag=tag).values_list("id", flat=True)
    return list(
        AuditEvent.objects.filter(
            child_id=child.pk, tag=AuditTag.ChildUpdated, actor=by, id__gt=marker
        ).values_list("id", flat=True)
    )


def _new_identity(world, old):
    details = ChildDetails(
        given_names="Rose",
        family_name="Hartley",
        gender=Gender.FEMALE,
        date_of_birth=date(2015, 3, 4),
        address=Address(lines=["1 Safe Street", "York"], postcode="YO1 7HH"),
    )
    return new_identity_create(
        old=old, by=world.lena, category=NewIdentityCategory.PROTECTION, details=details, shielded=True
    )


# --- closed for a new identity -------------------------------------------------------------------------


def test_control_feed_row_after_a_close_is_held_and_writes_nothing(world):
    old = make_child(world)
    source = health_source(world)
    _new_identity(world, old)
    assert ingest(source, [MOVED], "b1").status == "completed"
    (fed,) = FeedRow.objects.all()
    assert fed.outcome == RowOutcome.REVIEW
    assert _updated_after(old, AuditTag.ChildClosed, source.user) == []
    assert child_details(Child.objects.get(pk=old.pk)).address.postcode == "LS1 4AB"


def test_feed_update_racing_a_close_for_new_identity_never_writes_into_the_closed_record(world, monkeypatch):
    """The row was decided "update Amelia" as her LA team closed her record for a new identity
    (protection). The feed then wrote its address into the closed identity, rebuilt its keys and
    recorded provenance on it, and reported the row "updated": the closed record is written after the
    close, and no review was opened (the rule: a row resembling a closed identity is held, showing no
    candidate)."""
    old = make_child(world)
    source = health_source(world)
    outcomes = _feed_paused_after_decision(
        monkeypatch,
        feed=lambda: ingest(source, [MOVED], "b1").status,
        other=lambda: _new_identity(world, old) and "closed",
    )
    assert outcomes == ["completed", "closed"]
    assert Child.objects.get(pk=old.pk).status == RecordStatus.CLOSED
    assert _updated_after(old, AuditTag.ChildClosed, source.user) == [], _ids(
        old, AuditTag.ChildClosed, AuditTag.ChildUpdated
    )


# --- archived by the daily job ---------------------------------------------------------------------------


def test_control_feed_row_after_archiving_is_held_and_writes_nothing(world):
    child = make_child(world)
    source = health_source(world)
    assert child_archive(child_id=child.pk, rule="age", today=TODAY)
    assert ingest(source, [MOVED], "b1").status == "completed"
    (fed,) = FeedRow.objects.all()
    assert fed.outcome == RowOutcome.REVIEW
    assert _updated_after(child, AuditTag.ChildArchived, source.user) == []


def test_feed_update_racing_the_archive_job_never_writes_into_the_archived_record(world, monkeypatch):
    """The daily job archived Amelia between the row's decision and its write: the archived record
    (the data manager's alone) was then rewritten by the feed, instead of the row being held."""
    child = make_child(world)
    source = health_source(world)
    outcomes = _feed_paused_after_decision(
        monkeypatch,
        feed=lambda: ingest(source, [MOVED], "b1").status,
        other=lambda: child_archive(child_id=child.pk, rule="age", today=TODAY) and "archived",
    )
    assert outcomes == ["completed", "archived"]
    assert _updated_after(child, AuditTag.ChildArchived, source.user) == [], _ids(
        child, AuditTag.ChildArchived, AuditTag.ChildUpdated
    )


# --- transferred to an LA the source is not entitled to -------------------------------------------------


def _transfer_to_south(world, child):
    south_team = make_user("sofia", world.south, Role.LA_TEAM)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="family moved")
    return transfer, south_team


def test_control_feed_row_after_a_transfer_to_an_la_it_does_not_cover_goes_to_review(world):
    child = make_child(world)
    source = health_source(world)  # entitled to North only
    transfer, south_team = _transfer_to_south(world, child)
    assert transfer_accept(transfer=transfer, by=south_team)
    assert ingest(source, [MOVED], "b1").status == "completed"
    (fed,) = FeedRow.objects.all()
    assert fed.outcome == RowOutcome.REVIEW
    assert _updated_after(child, AuditTag.TransferAccepted, source.user) == []


def test_feed_update_racing_a_transfer_never_writes_a_record_of_an_la_the_source_does_not_cover(
    world, monkeypatch
):
    """North's health feed decided "update Amelia" (a North record) while South accepted her transfer:
    the feed then rewrote the address and keys of a South record, which the source is not entitled to
    update (the entitlement check saw the old LA)."""
    child = make_child(world)
    source = health_source(world)
    transfer, south_team = _transfer_to_south(world, child)
    outcomes = _feed_paused_after_decision(
        monkeypatch,
        feed=lambda: ingest(source, [MOVED], "b1").status,
        other=lambda: transfer_accept(transfer=transfer, by=south_team) and "accepted",
    )
    assert outcomes == ["completed", "accepted"]
    assert Child.objects.get(pk=child.pk).local_authority_id == world.south.pk
    assert _updated_after(child, AuditTag.TransferAccepted, source.user) == [], _ids(
        child, AuditTag.TransferAccepted, AuditTag.ChildUpdated
    )
