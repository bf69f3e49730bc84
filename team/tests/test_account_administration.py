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
