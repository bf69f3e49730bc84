"""The policy's rule that an administrator never cuts off (closes, or takes the accreditation from) the
organisation their own account belongs to: one rule, read by the directory's pages, as `own_account_national`
is for their own account."""

from access.policy import REASON_MESSAGES, organisation_cut_off_decide
from accounts.models import Role
from tests.personas import make_user


def test_an_administrator_may_not_cut_off_their_own_organisation(world):
    national = world.nadia.organisation
    simon = make_user("simon", national, Role.SYSTEM_ADMIN)
    decision = organisation_cut_off_decide(actor=simon, organisation=national)
    assert not decision
    assert decision.reason == "own_organisation"
    assert decision.message == REASON_MESSAGES["own_organisation"]
    assert "An administrator of another organisation must do it" in decision.message


def test_an_administrator_may_cut_off_another_organisation(world):
    simon = make_user("simon", world.nadia.organisation, Role.SYSTEM_ADMIN)
    assert organisation_cut_off_decide(actor=simon, organisation=world.north_gp)


def test_anyone_else_is_refused_by_role_first(world):
    decision = organisation_cut_off_decide(actor=world.lena, organisation=world.north_gp)
    assert decision.reason == "role_not_permitted"


def test_a_suspended_administrator_is_refused_for_that_first(world):
    from django.utils import timezone

    simon = make_user("simon", world.nadia.organisation, Role.SYSTEM_ADMIN, suspended_at=timezone.now())
    assert organisation_cut_off_decide(actor=simon, organisation=simon.organisation).reason == "suspended"
