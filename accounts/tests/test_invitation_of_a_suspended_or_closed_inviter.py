"""An invitation made by someone suspended or closed since does not open.

Suspending an LA team member for misuse (or closing their account) stops everything they can do; an
account they had just created for someone else still waited, its link able to set a password for a day,
an account the team may not yet have looked at. It opens again if the inviter is reinstated within the
link's day, as the invited account's own suspension does.
"""

from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import account_close, account_reinstate, account_suspend
from accounts.tests.invitations import ACCEPT, ivy_invited
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.personas import make_user


def _accepted(token: str, ivy: User) -> bool:
    url = reverse("accounts:invitation", args=[token])
    Client().post(url, ACCEPT)
    ivy.refresh_from_db()
    return ivy.has_usable_password()


def test_the_invitation_of_an_inviter_suspended_since_sets_no_password_and_is_audited(world):
    inviter = make_user("lorna", world.north, Role.LA_TEAM)
    ivy, token = ivy_invited(world, by=inviter)
    account_suspend(user=inviter, by=world.lena, reason="Synthetic: misuse under investigation")
    assert Client().get(reverse("accounts:invitation", args=[token])).status_code == 404
    assert not _accepted(token, ivy)
    refused = AuditEvent.objects.filter(tag=AuditTag.InvitationRefused)
    assert {e.additional["reason"] for e in refused} == {"inviter_suspended"}
    assert not AuditEvent.objects.filter(tag=AuditTag.InvitationAccepted).exists()


def test_the_invitation_of_an_inviter_closed_since_does_not_open(world):
    inviter = make_user("lorna", world.north, Role.LA_TEAM)
    ivy, token = ivy_invited(world, by=inviter)
    account_close(user=inviter, by=world.lena)
    assert not _accepted(token, ivy)
    refused = AuditEvent.objects.filter(tag=AuditTag.InvitationRefused)
    assert {e.additional["reason"] for e in refused} == {"inviter_closed"}


def test_the_invitation_opens_again_once_the_inviter_is_reinstated(world):
    inviter = make_user("lorna", world.north, Role.LA_TEAM)
    ivy, token = ivy_invited(world, by=inviter)
    account_suspend(user=inviter, by=world.lena, reason="Synthetic: checked and cleared")
    assert account_reinstate(user=inviter, by=world.lena).value == "done"
    assert _accepted(token, ivy)
