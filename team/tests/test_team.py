import re
import time

from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, RecoveryCode, User, UserSession
from accounts.services import suspension_version
from accounts.stepup import REAUTH_KEY
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.invitations import invitation_form
from tests.journeys import current_code, signed_in, totp_device
from tests.pages import rendered
from tests.personas import PASSWORD, make_user

INVITE = invitation_form(manager_email="boss@example.org")


def _invite(world, client):
    data = {**INVITE, "organisation": str(world.north_social_care.pk)}
    return client.post(reverse("team:invite"), data)


def test_the_la_team_invites_a_user_with_a_single_use_link(world):
    response = _invite(world, signed_in(world.lena))
    assert response.status_code == 302
    ivy = User.objects.get(username="ivy")
    assert not ivy.has_usable_password()
    [message] = mail.outbox
    token = re.search(r"/account/invitation/([\w-]+)/", message.body).group(1)
    assert Invitation.objects.get(user=ivy).token_hash != token

    accept = {
        "password1": "a long synthetic passphrase 93",
        "password2": "a long synthetic passphrase 93",
        "agreement": "on",
    }
    assert Client().post(reverse("accounts:invitation", args=[token]), accept).status_code == 302
    ivy.refresh_from_db()
    assert ivy.check_password("a long synthetic passphrase 93")
    assert ivy.agreement_signed_on is not None
    assert Client().get(reverse("accounts:invitation", args=[token])).status_code == 404
    assert AuditEvent.objects.filter(tag=AuditTag.AccountInvited).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.InvitationAccepted, actor=ivy).count() == 1


def test_an_invitation_expires_after_24_hours(world):
    _invite(world, signed_in(world.lena))
    token = re.search(r"/account/invitation/([\w-]+)/", mail.outbox[0].body).group(1)
    invitation = Invitation.objects.get()
    invitation.expires_at = invitation.created_by.date_joined.replace(year=2000)
    invitation.save()
    assert Client().get(reverse("accounts:invitation", args=[token])).status_code == 404


def test_the_invitation_refuses_a_common_password(world):
    _invite(world, signed_in(world.lena))
    token = re.search(r"/account/invitation/([\w-]+)/", mail.outbox[0].body).group(1)
    weak = {"password1": "password1234", "password2": "password1234", "agreement": "on"}
    response = Client().post(reverse("accounts:invitation", args=[token]), weak)
    assert response.status_code == 200
    assert "Enter a password that is harder to guess" in response.content.decode()


def test_the_la_team_cannot_invite_into_another_las_organisation(world):
    client = signed_in(world.lena)
    response = client.post(reverse("team:invite"), {**INVITE, "organisation": str(world.south_gp.pk)})
    assert response.status_code == 200
    assert not User.objects.filter(username="ivy").exists()


def test_sensitive_account_actions_need_recent_reauthentication(world):
    client = signed_in(world.lena, reauthenticated=False)
    response = client.post(reverse("team:suspend", args=[world.alice.pk]), {"reason": "test"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None


def test_reauthentication_takes_password_and_a_fresh_code(world):
    client = signed_in(world.lena, reauthenticated=False)
    session = client.session
    session.pop(REAUTH_KEY, None)
    session.save()
    device = totp_device(world.lena)
    response = client.post(
        reverse("accounts:reauthenticate"),
        {"password": PASSWORD, "code": current_code(device), "next": reverse("team:users")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("team:users")
    assert time.time() - client.session[REAUTH_KEY] < 5
    assert AuditEvent.objects.filter(tag=AuditTag.Reauthenticated, actor=world.lena).exists()


def test_suspension_notifies_the_manager_and_is_audited(world, django_capture_on_commit_callbacks):
    world.alice.manager_email = "manager@example.org"
    world.alice.save()
    client = signed_in(world.lena)
    with django_capture_on_commit_callbacks(execute=True):  # the email goes out once the suspension commits
        response = client.post(
            reverse("team:suspend", args=[world.alice.pk]), {"reason": "Searched own surname"}
        )
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None
    assert mail.outbox[0].to == ["manager@example.org"]
    assert AuditEvent.objects.filter(tag=AuditTag.AccountSuspended, actor=world.lena).count() == 1

    client.post(
        reverse("team:reinstate", args=[world.alice.pk]), {"suspension": suspension_version(world.alice)}
    )
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None
    assert AuditEvent.objects.filter(tag=AuditTag.AccountReinstated).count() == 1


def test_closing_an_account_removes_its_factors_and_sessions(world):
    signed_in(world.alice)
    client = signed_in(world.lena)
    client.post(reverse("team:close", args=[world.alice.pk]), {"confirmed": "yes"})
    world.alice.refresh_from_db()
    assert not world.alice.is_active
    assert not world.alice.has_usable_password()
    assert not UserSession.objects.filter(user=world.alice).exists()
    assert AuditEvent.objects.filter(tag=AuditTag.AccountClosed).count() == 1


def test_the_la_team_resets_a_lost_factor_but_never_sets_a_password(world):
    totp_device(world.alice)
    RecoveryCode.objects.create(user=world.alice, code_hash="x")
    client = signed_in(world.lena)
    client.post(reverse("team:reset_mfa", args=[world.alice.pk]), {"confirmed": "yes"})
    assert not world.alice.sealed_totp_devices.exists()
    assert not RecoveryCode.objects.filter(user=world.alice).exists()
    assert AuditEvent.objects.filter(tag=AuditTag.MfaReset).count() == 1
    from team.urls import urlpatterns

    assert not [p for p in urlpatterns if "password" in str(p.pattern)]


def test_the_la_team_cannot_manage_another_las_users(world):
    client = signed_in(world.lena)
    response = client.post(reverse("team:suspend", args=[world.bob.pk]), {"reason": "x"})
    assert response.status_code == 403
    world.bob.refresh_from_db()
    assert world.bob.suspended_at is None


def test_the_la_team_cannot_suspend_itself(world):
    client = signed_in(world.lena)
    assert client.post(reverse("team:suspend", args=[world.lena.pk]), {"reason": "x"}).status_code == 403


def test_the_team_sees_who_is_due_to_lapse(world):
    make_user(
        "lapsing",
        world.north_school,
        training_completed_on=world.alice.training_completed_on.replace(year=2025),
    )
    page = rendered(
        signed_in(world.lena).get(reverse("team:users")), heading="Accounts in your local authority"
    )
    start = page.index('id="lapsing"')
    lapsing = page[start : page.index("</ul>", start)]
    assert "Lapsing Example" in lapsing
    assert "Alice Example" not in lapsing
