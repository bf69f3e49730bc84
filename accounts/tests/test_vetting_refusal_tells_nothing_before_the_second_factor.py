"""Before the second factor, a refused account is told only that it cannot be used, never why.

The account guard asks the vetting before the second factor, so that a suspended or lapsed account cannot
even start a passkey ceremony (`test_vetting_is_checked_before_any_passkey_ceremony`). It answered a
password-only session with the full refusal page: the background check lapsed, the organisation closed or
not accredited, the agreement unsigned, and the person's own LA by name with its team's contact details.
Whoever had only the password learnt the account's standing and whom it belongs to. The refusal still
comes first; its page says nothing of the account until both factors are proved, and the audit event keeps
the reason.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from access.policy import REASON_MESSAGES
from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in, totp_device
from tests.pages import headings
from tests.personas import PASSWORD


def _lapse_background_check(user: User) -> None:
    user.background_check_on = timezone.localdate() - timedelta(days=3 * 366)
    user.save(update_fields=["background_check_on"])


def _close_organisation(user: User) -> None:
    assert user.organisation is not None
    user.organisation.closed_on = timezone.localdate()
    user.organisation.save(update_fields=["closed_on"])


def _password_only(user: User) -> Client:
    totp_device(user)  # enrolled: the second factor is owed
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _told_nothing(page: str, user: User) -> None:
    assert headings(page) == ["You cannot do this"]
    assert not any(message in page for message in REASON_MESSAGES.values())
    assert "data-reason" not in page
    # Its LA, named with its team's contact details on the full page; the header names no one before the
    # second factor either (test_header_names_the_account_only_after_the_second_factor).
    assert "Signed in as" not in page
    organisation = user.organisation
    assert organisation is not None and organisation.local_authority is not None
    assert escape(organisation.local_authority.name) not in page
    assert "Who can help" not in page


@pytest.mark.parametrize(
    ("lapse", "reason"),
    [(_lapse_background_check, "background_check_lapsed"), (_close_organisation, "organisation_closed")],
)
def test_a_password_only_session_is_refused_without_being_told_why(world, lapse, reason):
    client = _password_only(world.alice)
    lapse(world.alice)
    for path in (reverse("children:search"), reverse("accounts:mfa")):
        response = client.get(path)
        assert response.status_code == 403
        _told_nothing(response.content.decode(), world.alice)
    refused = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.alice)
    assert refused.count() == 2
    assert {event.additional["reason"] for event in refused} == {reason}
    assert not AuditEvent.objects.filter(tag=AuditTag.MfaVerified).exists()


def test_a_password_only_session_suspended_is_signed_out_and_told_nothing(world):
    client = _password_only(world.alice)
    world.alice.suspended_at = timezone.now()
    world.alice.save(update_fields=["suspended_at"])
    response = client.get(reverse("accounts:mfa"))
    assert response.status_code == 403
    _told_nothing(response.content.decode(), world.alice)
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.get(tag=AuditTag.AccessDenied).additional["reason"] == "suspended"


def test_a_verified_session_is_still_told_why_and_whom_to_ask(world):
    client = signed_in(world.alice)
    _lapse_background_check(world.alice)
    response = client.get(reverse("children:search"))
    page = response.content.decode()
    assert response.status_code == 403
    assert REASON_MESSAGES["background_check_lapsed"] in page
    organisation = world.alice.organisation
    assert organisation is not None
    assert organisation.local_authority is not None
    assert escape(organisation.local_authority.name) in page
