from datetime import timedelta

import pytest
from django.utils import timezone

from access.permissions import Permission
from access.policy import decide, visibility
from accounts.models import Role
from children.records import InvolvementDetails
from children.services import involvement_record
from tests.personas import make_user


def test_a_vetted_practitioner_may_search(world):
    assert decide(actor=world.alice, action=Permission.ChildSearch)


@pytest.mark.parametrize(
    ("persona", "reason"),
    [
        ("sam", "suspended"),
        ("tom", "training_lapsed"),
        ("nadia", "role_not_permitted"),
        ("dara", "role_not_permitted"),
    ],
)
def test_it_refuses_search_with_a_reason(world, persona, reason):
    decision = decide(actor=getattr(world, persona), action=Permission.ChildSearch)
    assert not decision
    assert decision.reason == reason
    assert decision.message


def test_it_refuses_a_lapsed_background_check(world):
    stale = make_user(
        "stale", world.north_social_care, background_check_on=timezone.localdate() - timedelta(days=1100)
    )
    assert decide(actor=stale, action=Permission.ChildSearch).reason == "background_check_lapsed"


def test_it_refuses_an_unsigned_user_agreement(world):
    unsigned = make_user("unsigned", world.north_social_care, agreement_signed_on=None)
    assert decide(actor=unsigned, action=Permission.ChildSearch).reason == "agreement_unsigned"


def test_deaccrediting_an_organisation_cuts_off_its_staff(world):
    world.north_social_care.accredited_on = None
    world.north_social_care.save()
    world.alice.refresh_from_db()
    assert decide(actor=world.alice, action=Permission.ChildSearch).reason == "organisation_not_accredited"


def test_a_closed_account_is_refused(world):
    world.alice.is_active = False
    assert decide(actor=world.alice, action=Permission.ChildSearch).reason == "inactive"


def test_an_account_without_an_organisation_is_refused(world):
    orphan = make_user("orphan", world.north)
    orphan.organisation = None
    assert decide(actor=orphan, action=Permission.ChildSearch).reason == "no_organisation"


@pytest.mark.parametrize(
    "role", [Role.FEED_SOURCE, Role.SYSTEM_ADMIN, Role.NATIONAL_AUDITOR, Role.DATA_MANAGER]
)
def test_roles_that_never_browse_children_cannot_view(world, child, role):
    user = make_user(f"u-{role}", world.north, role)
    assert decide(actor=user, action=Permission.ChildView, child=child).reason == "role_not_permitted"


def test_an_la_team_cannot_record_involvement(world, child):
    assert (
        decide(actor=world.lena, action=Permission.InvolvementRecord, child=child).reason
        == "role_not_permitted"
    )


def test_a_shielded_child_refuses_changes_by_ordinary_practitioners(world, shielded_child):
    decision = decide(actor=world.alice, action=Permission.InvolvementRecord, child=shielded_child)
    assert decision.reason == "shielded"


def test_the_owning_la_team_may_set_caf_on_a_shielded_child(world, shielded_child):
    assert decide(actor=world.lena, action=Permission.CafSet, child=shielded_child)


def test_another_la_team_may_not_set_caf(world, child):
    south_team = make_user("stella", world.south, Role.LA_TEAM)
    assert decide(actor=south_team, action=Permission.CafSet, child=child).reason == "not_involved"


def test_an_involved_practitioner_may_set_caf_until_their_involvement_ends(world, child):
    involvement = involvement_record(
        child=child,
        by=world.bob,
        details=InvolvementDetails(practitioner_name="Bob", role="GP", organisation_id=world.south_gp.pk),
    )
    assert decide(actor=world.bob, action=Permission.CafSet, child=child)
    involvement.ceased = True
    involvement.save()
    assert decide(actor=world.bob, action=Permission.CafSet, child=child).reason == "not_involved"


def test_visibility_hides_sensitive_services_except_from_the_owning_la_team(world, child):
    assert visibility(actor=world.alice, child=child).sensitive_services is False
    assert visibility(actor=world.lena, child=child).sensitive_services is True


def test_visibility_of_a_shielded_child_is_restricted_even_for_override_holders(world, shielded_child):
    """Break-glass is a separate, audited action (accounts issue); a plain view stays restricted."""
    assert visibility(actor=world.olivia, child=shielded_child).full is False
