"""The policy's rules for management information: the LA team its own LA, the national auditor all."""

from access.permissions import Permission
from access.policy import decide
from accounts.models import Role
from tests.personas import make_user


def test_only_an_la_team_with_a_home_la_sees_local_figures(world):
    assert decide(actor=world.lena, action=Permission.LocalInsightView)
    for persona in (world.alice, world.olivia, world.dara, world.nadia):
        assert decide(actor=persona, action=Permission.LocalInsightView).reason == "role_not_permitted"
    stray = make_user("stray", world.nadia.organisation, Role.LA_TEAM)
    assert decide(actor=stray, action=Permission.LocalInsightView).reason == "no_organisation"


def test_only_the_national_auditor_sees_national_figures(world):
    assert decide(actor=world.nadia, action=Permission.NationalInsightView)
    for persona in (world.alice, world.olivia, world.dara, world.lena):
        assert decide(actor=persona, action=Permission.NationalInsightView).reason == "role_not_permitted"


def test_vetting_comes_first_for_both(world):
    for action in (Permission.LocalInsightView, Permission.NationalInsightView):
        assert decide(actor=world.sam, action=action).reason == "suspended"
        assert decide(actor=world.tom, action=action).reason == "training_lapsed"
