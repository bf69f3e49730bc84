"""`rowlocks.held.row_held`: what each strength holds off, proved with a second session writing.

The callers' own tests prove what each hold is for (a merge waited for, a close seen, an approval kept);
these prove the two strengths differ as their callers rely on, and that the answer is the row as
committed.
"""

import threading

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from rowlocks.held import Strength, row_held
from tests.concurrency import WAITED, postgresql_race, run_together, waiting_at_most
from tests.personas import make_child


def test_the_answer_is_whether_the_row_is_there_for_uuid_and_integer_keys(world):
    child = make_child(world)
    with transaction.atomic():
        assert row_held(type(child), child.pk, strength=Strength.KEY_SHARE)
        assert row_held(Organisation, world.north.pk, strength=Strength.SHARE)
        assert not row_held(Organisation, 987654, strength=Strength.KEY_SHARE)


class TestAgainstASecondSession:
    pytestmark = postgresql_race()

    def _while_held(self, strength: Strength, pk: int, change) -> object:
        """`change` in a second session while the first holds Organisation `pk` at `strength`."""
        held, done = threading.Event(), threading.Event()

        def work(index: int) -> object:
            if index == 0:
                with transaction.atomic():
                    assert row_held(Organisation, pk, strength=strength)
                    held.set()
                    assert done.wait(timeout=30)
                return "released"
            assert held.wait(timeout=30)
            try:
                return waiting_at_most(change, lock_wait="1s")()
            finally:
                done.set()

        return run_together(2, work)[1]

    @pytest.mark.parametrize("strength", list(Strength))
    def test_a_delete_waits_for_either_hold(self, world, strength):
        spare = Organisation.objects.create(kind=world.north.kind, name="Spare Council", code="LA-X")
        assert (
            self._while_held(strength, spare.pk, lambda: Organisation.objects.filter(pk=spare.pk).delete())
            == WAITED
        )
        assert Organisation.objects.filter(pk=spare.pk).exists()

    def test_an_update_of_other_columns_passes_a_key_share_hold(self, world):
        today = timezone.localdate()
        close = lambda: Organisation.objects.filter(pk=world.north.pk).update(closed_on=today)  # noqa: E731
        assert self._while_held(Strength.KEY_SHARE, world.north.pk, close) == 1

    def test_an_update_of_other_columns_waits_for_a_share_hold(self, world):
        today = timezone.localdate()
        close = lambda: Organisation.objects.filter(pk=world.north.pk).update(closed_on=today)  # noqa: E731
        assert self._while_held(Strength.SHARE, world.north.pk, close) == WAITED
        assert Organisation.objects.get(pk=world.north.pk).closed_on is None
