"""A dead invitation link presented again and again is audited once a minute, each event counting the
refusals of the minute before, so nobody holding one can flood the audit log through it.

Every presentation of a used, expired or otherwise refused link wrote `account:invitation:refused`,
costing nothing but the audit row: whoever holds such a link (it sits in an email, perhaps forwarded or
scanned) could write one signed audit event per request, without a CSRF token or an account, without end
and burying real events: the flood the lockout (session 24) and revoked feed tokens (session 19) closed
the same way.
"""

from datetime import UTC, datetime, timedelta

import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, Role, User
from accounts.services import account_invite
from accounts.tests.invitations import ACCEPT, ivy_invited
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.personas import World

START = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)
DEAD_LINK = "This link has expired or has been used"


def _refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(tag=AuditTag.InvitationRefused).order_by("id"))


def _used_link(world: World) -> tuple[User, str]:
    ivy, token = ivy_invited(world)
    assert Client().post(reverse("accounts:invitation", args=[token]), ACCEPT).status_code == 302
    return ivy, token


def test_a_used_link_presented_again_and_again_is_audited_once_a_minute_with_the_minute_befores_count(world):
    with time_machine.travel(START, tick=False) as clock:
        ivy, token = _used_link(world)
        url = reverse("accounts:invitation", args=[token])
        for i in range(30):
            page = Client().get(url)
            sent = Client().post(url, {**ACCEPT, "password1": f"another passphrase {i}x"})
            assert (page.status_code, sent.status_code) == (404, 404)
            assert DEAD_LINK in page.content.decode() and DEAD_LINK in sent.content.decode()
        first = _refusals()
        assert len(first) == 1, f"60 presentations of a used link in one minute wrote {len(first)} events"
        assert first[0].additional["user_id"] == ivy.pk
        assert first[0].additional["reason"] == "used"
        assert first[0].additional["refused_in_the_minute_before"] == 0

        clock.move_to(START + timedelta(minutes=1))
        for _ in range(5):
            assert Client().get(url).status_code == 404
        events = _refusals()
        assert len(events) == 2
        assert events[1].additional["refused_in_the_minute_before"] == 60

    ivy.refresh_from_db()
    assert ivy.check_password(ACCEPT["password1"])


def test_each_dead_link_is_audited_on_its_own(world):
    with time_machine.travel(START, tick=False):
        ivy, used = _used_link(world)
        ian, expired = _expired_link(world)
        for token in (used, expired):
            for _ in range(3):
                assert Client().get(reverse("accounts:invitation", args=[token])).status_code == 404
        refused = _refusals()
        assert sorted((e.additional["user_id"], e.additional["reason"]) for e in refused) == sorted(
            [(ivy.pk, "used"), (ian.pk, "expired")]
        )


def _expired_link(world: World) -> tuple[User, str]:
    """A second invited account (Ian), whose link has expired."""
    ian, token = account_invite(
        by=world.lena,
        username="ian",
        first_name="Ian",
        last_name="Example",
        email="ian@example.org",
        organisation=world.north_social_care,
        role=Role.PRACTITIONER,
        background_check_on=world.alice.background_check_on,
        training_completed_on=world.alice.training_completed_on,
    )
    Invitation.objects.filter(user=ian).update(expires_at=datetime(2026, 3, 1, tzinfo=UTC))
    return ian, token
