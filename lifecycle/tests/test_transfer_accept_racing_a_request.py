"""An accept and a new request for the same child, on two real sessions, never deadlock.

A request locks the child's row, then inserts its transfer, which waits on the one-pending-per-child
index while another transaction is changing the pending transfer. An accept that changed the transfer
first and took the child's row after held what the request waited for, and waited for what the request
held: PostgreSQL failed one of them (`DeadlockDetected`, a 500 on either team's page). The accept takes
the child's row before the transfer, as the request does: one waits for the other and the second is
answered in words.
"""

import contextlib
import threading
from typing import Any
from unittest import mock

from accounts.models import Role
from children.models import Child
from lifecycle import moves
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import TransferRefused, transfer_accept, transfer_request
from tests.concurrency import postgresql_race, run_together
from tests.personas import build_world, make_child, make_user

pytestmark = postgresql_race()


def test_an_accept_and_a_new_request_for_the_same_child_never_deadlock():
    world = build_world()
    stella = make_user("stella", world.south, Role.LA_TEAM)
    child = Child.objects.select_related("data_key").get(pk=make_child(world).pk)
    first = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved south")
    first = Transfer.objects.select_related("child__data_key", "from_la", "to_la").get(pk=first.pk)
    # The accept waits once it has decided the transfer; the request once it holds the child's row and
    # is about to insert its own. Each goes on alone if the other is held by a lock and cannot come.
    barrier = threading.Barrier(2)

    def met(call: Any) -> Any:
        def meeting(*args: Any, **kwargs: Any) -> Any:
            if call is moves._decided:
                done = call(*args, **kwargs)
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait(timeout=6)
                return done
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=6)
            return call(*args, **kwargs)

        return meeting

    def work(index: int) -> object:
        if index == 0:
            return transfer_accept(transfer=first, by=stella)
        try:
            return transfer_request(child=child, to_la=world.south, by=world.lena, reason="Asked again")
        except TransferRefused as refused:
            return str(refused)

    with (
        mock.patch.object(moves, "_decided", met(moves._decided)),
        mock.patch.object(moves, "note_seal", met(moves.note_seal)),
    ):
        accepted, requested = run_together(2, work)

    assert accepted is True
    assert isinstance(requested, str)  # refused in words, never a second transfer
    assert Child.objects.get(pk=child.pk).local_authority_id == world.south.pk
    assert list(Transfer.objects.filter(child_id=child.pk).values_list("status", flat=True)) == [
        TransferStatus.ACCEPTED
    ]
