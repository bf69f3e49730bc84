"""Two moves of one child written at the same moment: each keeps what was really there before it."""

import threading
from dataclasses import replace

import pytest
from django.db import connection, connections

from children.models import Child
from children.records import Address
from children.selectors import child_details
from children.services import child_details_update
from tests.personas import build_world, make_child


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer on one database lock, so two updates cannot race there",
)
def test_two_address_updates_racing_keep_both_previous_postcodes():
    world = build_world()
    child = make_child(world)  # at LS1 4AB
    for round_number in range(4):
        start = Child.objects.select_related("data_key").get(pk=child.pk)
        before = child_details(start)
        first, second = f"HG{round_number + 1} 1AA", f"YO{round_number + 1} 2BB"
        barrier = threading.Barrier(2)
        failures: list[str] = []

        def move(postcode: str, barrier=barrier, failures=failures, before=before) -> None:
            try:
                row = Child.objects.select_related("data_key").get(pk=child.pk)
                details = replace(before, address=Address(lines=["1 Race Row", "York"], postcode=postcode))
                barrier.wait(timeout=30)
                child_details_update(child=row, details=details, columns=["address"], by=None)
            except BaseException as error:
                failures.append(repr(error))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=move, args=(p,)) for p in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []
        after = child_details(Child.objects.get(pk=child.pk))
        winner = after.address.postcode
        loser = second if winner == first else first
        previous = before.address.postcode
        # The update that wrote last saw the other's postcode as the one it replaced.
        assert after.former_postcodes[:2] == [loser, previous], (winner, after.former_postcodes)
