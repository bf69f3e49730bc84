"""The email asking a shielded child's LA team to broker a match goes to whom the brokering page serves:
the team members the access policy allows to broker for that child's LA (`Permission.MatchBroker`,
scoped to their home LA), not to a list of its own. It used to pick "LA team of the LA, active, not
suspended", so a member whose training or background check had lapsed, or who had not signed the user
agreement, was emailed about a shielded child whose brokering page the policy refuses them."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from access.permissions import Permission
from access.policy import decide
from accounts.models import Organisation, OrganisationKind, Role
from coordination.tests.support import record, school_teacher
from tests.journeys import signed_in
from tests.personas import make_user


def _match_about_the_shielded_child(world, shielded_child, capture) -> list[list[str]]:
    carol = school_teacher(world)
    record(shielded_child, world.alice, role="Allocated social worker")  # as if recorded before shielding
    with capture(execute=True):
        record(shielded_child, carol, role="Class teacher")
    return [sorted(m.to) for m in mail.outbox]


def test_a_team_member_the_policy_refuses_is_not_emailed_to_broker(
    world, shielded_child, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    lapsed = make_user("lapsed", world.north, Role.LA_TEAM, training_completed_on=today - timedelta(days=400))
    unvetted = make_user(
        "unvetted", world.north, Role.LA_TEAM, background_check_on=today - timedelta(days=4000)
    )
    unsigned = make_user("unsigned", world.north, Role.LA_TEAM, agreement_signed_on=None)
    make_user("closed", world.north, Role.LA_TEAM, is_active=False)
    make_user("suspended", world.north, Role.LA_TEAM, suspended_at=timezone.now())
    make_user("stella", world.south, Role.LA_TEAM)  # another LA's team
    for refused in (lapsed, unvetted, unsigned):  # the page the email sends them to refuses them
        assert not decide(actor=refused, action=Permission.MatchBroker)
        assert signed_in(refused).get(reverse("coordination:brokering")).status_code != 200
    assert _match_about_the_shielded_child(world, shielded_child, django_capture_on_commit_callbacks) == [
        ["lena@example.org"]
    ]


def test_nobody_is_emailed_when_the_policy_refuses_the_whole_team(
    world, shielded_child, django_capture_on_commit_callbacks
):
    """North's accreditation has lapsed: nobody there may broker, so nobody is emailed (the match is kept,
    and shown to the team once the policy allows them again)."""
    Organisation.objects.filter(pk=world.north.pk).update(closed_on=timezone.localdate())
    assert _match_about_the_shielded_child(world, shielded_child, django_capture_on_commit_callbacks) == []


def test_a_team_member_the_policy_allows_is_emailed_whichever_organisation_of_the_la_holds_the_account(
    world, shielded_child, django_capture_on_commit_callbacks
):
    """The brokering page serves every LA team member whose home LA is the child's (`home_la_id`): one
    whose account sits with a team organisation of the LA is asked too, as the page would show them."""
    team = Organisation.objects.create(
        kind=OrganisationKind.SOCIAL_CARE,
        name="Northshire ContactPoint Team",
        code="CPT-N",
        local_authority=world.north,
        accredited_on=world.north.accredited_on,
    )
    petra = make_user("petra", team, Role.LA_TEAM)
    assert signed_in(petra).get(reverse("coordination:brokering")).status_code == 200
    assert _match_about_the_shielded_child(world, shielded_child, django_capture_on_commit_callbacks) == [
        ["lena@example.org"],
        ["petra@example.org"],  # a message each: neither sees the other's address
    ]
