"""The administrator's national invitation is the LA team's form with national roles
(`administration.forms.NationalInviteForm`), so it asks whether a username is taken in the same way: only
once the rest of the invitation is valid (its own check of an LA for an LA role included), each "already
in use" audited and counted against the same hourly limit (team/tests/test_a_taken_username_or_address_is_answered_last.py).
"""

from django.urls import reverse

from accounts.models import User
from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.tags import AuditTag
from team.forms import IN_USE_LIMITED, IN_USE_REFUSALS, USERNAME_IN_USE
from tests.invitations import invitation_form
from tests.journeys import signed_in


def _invite(client, **changes):
    data = invitation_form(**{"role": "data_manager", **changes})
    return client.post(reverse("administration:account_invite"), data).content.decode()


def test_an_invalid_national_invitation_says_nothing_of_whether_its_username_exists(world):
    admin = signed_in(administrator(world))
    # A data manager must join a local authority: the national body is refused by the subclass's own check.
    page = _invite(admin, username="alice", organisation=world.nadia.organisation.pk)
    assert "Select a local authority for an LA team member or data manager" in page
    assert USERNAME_IN_USE not in page
    assert not AuditEvent.objects.filter(tag=AuditTag.InvitationInUseRefused).exists()


def test_a_valid_national_invitation_with_a_taken_username_is_refused_audited_and_limited(world):
    admin_user = administrator(world)
    admin = signed_in(admin_user)
    for _ in range(IN_USE_REFUSALS.limit):
        assert USERNAME_IN_USE in _invite(admin, username="alice", organisation=world.north.pk)
    refused = AuditEvent.objects.filter(tag=AuditTag.InvitationInUseRefused, actor_id=admin_user.pk)
    assert refused.count() == IN_USE_REFUSALS.limit
    page = _invite(admin, username="zz-nobody", organisation=world.north.pk)
    assert IN_USE_LIMITED in page
    assert not User.objects.filter(username="zz-nobody").exists()
    assert AuditEvent.objects.filter(tag=AuditTag.InvitationInUseThrottled, actor_id=admin_user.pk).exists()
