"""An accepted transfer never allocates a record to a local authority that has closed.

Closing an LA is refused while any child's record is allocated to it (`administration.organisations`):
nobody could then sign in to act for those children (shield, transfer, broker, answer for them, open the
archive). The close counts the records as committed and says so: "the writers that allocate children must
refuse a closed LA". Accepting a transfer is such a writer. The receiving team's page passed the policy
while the LA was open; the administrator closed the LA (with nothing yet allocated to it); the accept then
moved the record into the closed LA: a child in the index that no team can act for, and that cannot be
transferred out again (the team that holds it cannot sign in).
"""

import contextlib
import threading
from typing import Any
from unittest import mock

from django.utils import timezone

from accounts.models import Organisation, Role
from administration import organisations as admin_organisations
from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle import moves
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import transfer_accept, transfer_not_changed_reason, transfer_request
from tests.concurrency import postgresql_race, run_together
from tests.personas import build_world, make_child, make_user


def _pending(world: Any) -> tuple[Child, Transfer]:
    child = Child.objects.select_related("data_key").get(pk=make_child(world).pk)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved south")
    return child, Transfer.objects.select_related("child__data_key", "from_la", "to_la").get(pk=transfer.pk)


def test_an_accept_after_the_receiving_la_closed_moves_nothing_and_says_why(world):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    child, transfer = _pending(world)
    # The page's policy check passed while Southborough was open; the administrator closed it since.
    Organisation.objects.filter(pk=world.south.pk).update(closed_on=timezone.localdate())

    assert transfer_accept(transfer=transfer, by=stella) is False

    assert Child.objects.get(pk=child.pk).local_authority_id == world.north.pk
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING
    assert not AuditEvent.objects.filter(tag=AuditTag.TransferAccepted).exists()
    assert transfer_not_changed_reason(transfer) == (
        "Your local authority has been closed: it can no longer take over records, and nothing was changed"
    )


class TestRacingTheClose:
    pytestmark = postgresql_race()

    def test_an_accept_racing_the_close_of_the_receiving_la_never_leaves_a_record_in_a_closed_la(self):
        """Two real sessions: the close counts what the LA holds while the accept's move is not yet
        committed. Either the accept goes first (the close then sees the record and refuses) or the close
        does (the accept then refuses); never a record in a closed LA."""
        world = build_world()
        stella = make_user("stella", world.south, Role.LA_TEAM)
        simon = administrator(world)
        child, transfer = _pending(world)
        # Southborough's own services have closed: once nothing is allocated to it, it may close.
        Organisation.objects.filter(local_authority=world.south).update(closed_on=timezone.localdate())
        # Each writer waits for the other at its decisive point (the accept with the record moved but not
        # committed, the close about to count), unless the other is held by a lock and cannot come.
        barrier = threading.Barrier(2)

        def met(call: Any) -> Any:
            def meeting(*args: Any, **kwargs: Any) -> Any:
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait(timeout=3)
                return call(*args, **kwargs)

            return meeting

        def work(index: int) -> object:
            if index == 0:
                return transfer_accept(transfer=transfer, by=stella)
            south = Organisation.objects.get(pk=world.south.pk)
            return admin_organisations._organisation_close_locked(south, simon, True)[:2]

        with (
            mock.patch.object(moves, "event_record", met(moves.event_record)),
            mock.patch.object(admin_organisations, "_still_holds", met(admin_organisations._still_holds)),
        ):
            accepted, (held, closed) = run_together(2, work)

        south = Organisation.objects.get(pk=world.south.pk)
        where = Child.objects.get(pk=child.pk).local_authority_id
        assert not (south.closed_on is not None and where == world.south.pk), (accepted, held, closed)
        if accepted:
            assert (where, south.closed_on, held) == (world.south.pk, None, True)
        else:
            assert (where, closed) == (world.north.pk, True)
            assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING
