"""Account administration: "Invited" until accepted; closing and resetting ask first; the organisation
is chosen, never defaulted."""

import re
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from team.tests.test_team import INVITE
from tests.journeys import signed_in
from tests.pages import rendered


def _invite(world, client, **changes):
    return client.post(
        reverse("team:invite"), {**INVITE, "organisation": str(world.north_social_care.pk), **changes}
    )


def test_an_invited_user_shows_as_invited_until_they_accept(world):
    client = signed_in(world.lena)
    _invite(world, client)
    ivy = User.objects.get(username="ivy")
    listing = client.get(reverse("team:users")).content.decode()
    assert re.search(r"Ivy Newcomer</a>.*?>Invited</strong>", listing, re.DOTALL)
    detail = rendered(client.get(reverse("team:user", args=[ivy.pk])), heading="Ivy Newcomer")
    assert "Invited: they have not yet accepted the invitation" in detail

    token = re.search(r"/account/invitation/([\w-]+)/", mail.outbox[0].body).group(1)
    accept = {
        "password1": "a long synthetic passphrase 93",
        "password2": "a long synthetic passphrase 93",
        "agreement": "on",
    }
    Client().post(reverse("accounts:invitation", args=[token]), accept)
    detail = client.get(reverse("team:user", args=[ivy.pk])).content.decode()
    assert '<dd class="govuk-summary-list__value" id="account-status">Active</dd>' in detail


def test_an_unused_invitation_past_its_24_hours_shows_as_expired(world):
    client = signed_in(world.lena)
    _invite(world, client)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    ivy = User.objects.get(username="ivy")
    assert "Invitation expired" in client.get(reverse("team:user", args=[ivy.pk])).content.decode()


def test_an_invitation_without_an_organisation_chosen_is_refused(world):
    response = _invite(world, signed_in(world.lena), organisation="")
    assert "Select the organisation they work for" in response.content.decode()
    assert not User.objects.filter(username="ivy").exists()


def test_closing_an_account_asks_for_confirmation_first(world):
    client = signed_in(world.lena)
    response = client.post(reverse("team:close", args=[world.alice.pk]))
    assert response["Location"] == reverse("team:user", args=[world.alice.pk]) + "?confirm=close"
    world.alice.refresh_from_db()
    assert world.alice.is_active
    page = rendered(
        client.get(response["Location"]), heading="Are you sure you want to close Alice Example's account?"
    )
    assert "Yes, close this account" in page and "No, go back" in page
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountClosed).exists()
    client.post(reverse("team:close", args=[world.alice.pk]), {"confirmed": "yes"})
    world.alice.refresh_from_db()
    assert not world.alice.is_active


def test_resetting_security_codes_asks_for_confirmation_first(world):
    client = signed_in(world.lena)
    response = client.post(reverse("team:reset_mfa", args=[world.alice.pk]))
    assert response["Location"].endswith("?confirm=reset_mfa")
    assert not AuditEvent.objects.filter(tag=AuditTag.MfaReset).exists()
    rendered(
        client.get(response["Location"]),
        heading="Are you sure you want to reset Alice Example's security codes?",
    )
    client.post(reverse("team:reset_mfa", args=[world.alice.pk]), {"confirmed": "yes"})
    assert AuditEvent.objects.filter(tag=AuditTag.MfaReset).count() == 1


def test_the_confirmation_page_is_refused_for_another_las_account(world):
    response = signed_in(world.lena).get(reverse("team:user", args=[world.bob.pk]), {"confirm": "close"})
    assert response.status_code == 403


def test_an_la_team_never_manages_a_national_auditor_or_system_administrator_who_works_at_its_la(world):
    """The system administrator may give a national auditor or administrator an LA as their organisation
    (administration.forms.NationalInviteForm); they stay the system administrator's alone (docs/SECURITY.md),
    so an LA team can never suspend, close or reset the auditor who reviews it."""
    from accounts.models import Role
    from tests.personas import make_user

    auditor = make_user("norah", world.north, Role.NATIONAL_AUDITOR)
    admin = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    lena = signed_in(world.lena)  # North's LA team
    for subject in (auditor, admin):
        assert lena.get(reverse("team:user", args=[subject.pk])).status_code == 403
        for url in ("team:suspend", "team:close", "team:reset_mfa"):
            response = lena.post(reverse(url, args=[subject.pk]), {"reason": "Asking awkward questions"})
            assert response.status_code == 403, (url, subject.username, response.status_code)
            assert "nationally" in response.content.decode()
        subject.refresh_from_db()
        assert subject.suspended_at is None and subject.is_active
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountSuspended).exists()


def test_an_la_team_looks_after_practitioners_only_never_a_colleague_or_the_data_manager(world):
    """LA team members and data managers are national accounts (docs/SECURITY.md): a colleague can
    neither lift a suspension the misuse rules made, nor switch off the own-address rule, nor close
    the data manager; and the team's invitation offers the roles it looks after, no more."""
    from accounts.models import Role
    from accounts.services import account_suspend, home_postcode_record
    from tests.personas import make_user

    leo = make_user("leo", world.north, Role.LA_TEAM)
    account_suspend(user=leo, by=None, reason="bulk_viewing")
    home_postcode_record(user=world.dara, by=world.lena, postcode="LS1 4AB")  # as recorded before this rule
    lena = signed_in(world.lena)
    assert lena.post(reverse("team:reinstate", args=[leo.pk])).status_code == 403
    assert (
        lena.post(reverse("team:home_postcode", args=[world.dara.pk]), {"remove": "yes"}).status_code == 403
    )
    assert lena.post(reverse("team:close", args=[world.dara.pk]), {"confirmed": "yes"}).status_code == 403
    leo.refresh_from_db()
    world.dara.refresh_from_db()
    assert leo.suspended_at is not None and world.dara.is_active and world.dara.home_postcode_token
    invitation = lena.get(reverse("team:invite")).content.decode()
    assert 'value="practitioner"' in invitation and 'value="override_holder"' in invitation
    assert 'value="la_team"' not in invitation and 'value="data_manager"' not in invitation


def test_the_suspension_email_to_the_manager_never_carries_the_reason_typed(
    world, django_capture_on_commit_callbacks
):
    """The reason often names the child looked up; email leaves the system, so it says only that the
    account was suspended and by whom, and where to read why."""
    from django.core import mail

    world.alice.manager_email = "manager@example.org"
    world.alice.save()
    reason = "Looked up Amelia Thornton, born 4 March 2015, at 12 Quarry Lane"
    with django_capture_on_commit_callbacks(execute=True):  # sent once the suspension commits
        signed_in(world.lena).post(reverse("team:suspend", args=[world.alice.pk]), {"reason": reason})
    [message] = mail.outbox
    assert (
        message.to == ["manager@example.org"] and "'alice' has been suspended by the LA team" in message.body
    )
    for typed in ("Amelia", "Thornton", "Quarry", "2015"):
        assert typed not in message.body and typed not in message.subject
