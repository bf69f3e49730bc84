"""Placing a review by hand while someone holds it (a decision, a sweep) is refused as busy, never waits.

PostgreSQL only: real sessions. A decision locks the review's row, then the children's; the placing locks
them in the same order without waiting (`nowait`), so it can close no circle with a decision, a transfer or
a purge, and says to try again.
"""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from linkage.models import ClericalReview
from linkage.tests.test_review_placed_by_hand import _split
from rowlocks.held import Strength, row_held
from tests.concurrency import postgresql_race, run_together

pytestmark = postgresql_race()


def test_a_review_someone_holds_is_refused_as_busy_and_stays_where_it_was(world, child):
    review = _split(world, child)
    held, tried = threading.Event(), threading.Event()

    def work(index: int) -> str:
        if index == 0:
            with transaction.atomic():
                assert row_held(ClericalReview, review.pk, strength=Strength.SHARE)
                held.set()
                assert tried.wait(10)
            return "held"
        assert held.wait(10)
        try:
            with pytest.raises(CommandError, match="busy: try again"):
                call_command("review_place", str(review.pk), "--to", world.south.code, "--apply")
        finally:
            tried.set()
        return "refused"

    assert run_together(2, work) == ["held", "refused"]
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk
