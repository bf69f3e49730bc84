"""A shielded hold never follows an unshielded child of it away to an LA that does not hold the shielded one.

A hold (a row that could be a shielded child) follows its child when another LA accepts the record, unless
it still names a child of the old LA (`linkage.holding`). It followed any child it names: once the
shielded child had gone to one LA and the other child it names was accepted by another, the hold went
with that other child, to a team that never held the shielded child. That team was shown the row (where
it says the child lives) and its own child, not the shielded one, and could link the row into its own
visible record. The hold now stays (the daily sweep reports it for a person, who may place it only with
the shielded child's LA: `linkage.placing`).
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Role
from children.models import Child
from lifecycle.moves import transfer_accept, transfer_request
from lifecycle.shielding import shield_set
from linkage.models import ClericalReview
from linkage.tests.test_ordinary_review_follows_its_candidates import _too_close
from tests.other_la import east_la
from tests.personas import make_user


def _accepted(world, child, la, by) -> None:
    transfer = transfer_request(child=Child.objects.get(pk=child.pk), to_la=la, by=world.lena, reason="Moved")
    assert transfer_accept(transfer=transfer, by=by)


def test_a_hold_stays_when_its_unshielded_child_goes_to_an_la_not_holding_its_shielded_child(world, child):
    review, twin = _too_close(world, child)
    shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
    review.refresh_from_db()
    assert review.shielded_hold
    east = east_la(world)
    _accepted(world, child, world.south, make_user("stella", world.south, Role.LA_TEAM))
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk  # twin still North's

    _accepted(world, twin, east, make_user("erin", east, Role.LA_TEAM))

    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk
    with pytest.raises(CommandError, match="need a person"):
        call_command("holds_sweep")  # left for a person
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk


def test_a_hold_still_follows_its_shielded_child_when_its_other_child_is_elsewhere(world, child):
    review, twin = _too_close(world, child)
    shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm")
    east = east_la(world)
    _accepted(world, twin, east, make_user("erin", east, Role.LA_TEAM))
    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.north.pk  # child North's

    _accepted(world, child, world.south, make_user("stella", world.south, Role.LA_TEAM))

    assert ClericalReview.objects.get(pk=review.pk).local_authority_id == world.south.pk
