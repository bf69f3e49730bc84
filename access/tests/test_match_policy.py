"""The policy's rules for match alerts: who may be told about a child, and who may act on a match."""

from datetime import date

from access.permissions import Permission
from access.policy import decide
from accounts.models import Role
from children.records import InvolvementDetails
from children.services import involvement_cease, involvement_record
from tests.personas import make_user


def _involvement(child, user):
    details = InvolvementDetails("Someone", "Practitioner", user.organisation_id, started_on=date(2024, 1, 1))
    return involvement_record(child=child, by=user, details=details)


def test_a_vetted_practitioner_may_be_told_about_a_match(world, child):
    assert decide(actor=world.bob, action=Permission.MatchReceive, child=child)


def test_nobody_outside_the_la_team_is_told_about_a_shielded_child(world, shielded_child):
    for persona in (world.alice, world.bob, world.olivia):
        decision = decide(actor=persona, action=Permission.MatchReceive, child=shielded_child)
        assert not decision and decision.reason == "shielded"


def test_a_person_the_policy_refuses_is_not_told(world, child):
    assert decide(actor=world.tom, action=Permission.MatchReceive, child=child).reason == "training_lapsed"
    assert decide(actor=world.sam, action=Permission.MatchReceive, child=child).reason == "suspended"
    assert (
        decide(actor=world.nadia, action=Permission.MatchReceive, child=child).reason == "role_not_permitted"
    )


def test_only_the_owner_of_a_current_involvement_acts_on_a_match(world, child):
    alices = _involvement(child, world.alice)
    assert decide(actor=world.alice, action=Permission.InvolvementCoordinate, child=child, involvement=alices)
    refused = decide(
        actor=world.bob, action=Permission.InvolvementCoordinate, child=child, involvement=alices
    )
    assert refused.reason == "not_own_involvement"
    no_side = decide(actor=world.bob, action=Permission.InvolvementCoordinate, child=child, involvement=None)
    assert no_side.reason == "not_own_involvement"
    involvement_cease(involvement=alices, by=world.alice, ended_on=date(2025, 1, 1))
    ended = decide(
        actor=world.alice, action=Permission.InvolvementCoordinate, child=child, involvement=alices
    )
    assert ended.reason == "not_own_involvement"


def test_match_counts_are_for_the_la_team_of_its_own_la(world):
    assert decide(actor=world.lena, action=Permission.MatchStatisticsView)
    assert decide(actor=world.alice, action=Permission.MatchStatisticsView).reason == "role_not_permitted"


def test_only_the_shielded_childs_own_la_team_may_broker_its_match(world, shielded_child):
    assert decide(actor=world.lena, action=Permission.MatchBroker, child=shielded_child)
    south_team = make_user("stella", world.south, role=Role.LA_TEAM)
    refused = decide(actor=south_team, action=Permission.MatchBroker, child=shielded_child)
    assert not refused and refused.reason == "other_la"
    assert decide(actor=world.alice, action=Permission.MatchBroker, child=shielded_child).reason == (
        "role_not_permitted"
    )
