"""Second-factor attempts refused by the code limit are audited once a minute per account, each event
counting the refusals of the minute before, so a password alone cannot flood the audit log.

Once `mfa.user` is reached (10 wrong codes or passkey failures in 5 minutes), every further code, and every
passkey ceremony begun or completed, was refused unchecked and wrote `account:mfa:throttled`: someone
holding only the password (a password-only session is all it takes) wrote one audit event per request,
without end, burying real events: the flood the sign-in lockout and refused feed sources closed the same
way (session 24).
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import totp_device
from tests.personas import PASSWORD

START = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)
THROTTLED = "Too many wrong codes. Wait 5 minutes and try again"
PASSKEY_BEGIN = reverse("accounts:passkey_authentication_begin")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _password_only(username: str) -> Client:
    client = Client()
    assert (
        client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD}).status_code
        == 302
    )
    return client


def _refused() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(tag=AuditTag.MfaThrottled).order_by("id"))


def test_codes_and_passkey_ceremonies_refused_by_the_limit_are_audited_once_a_minute(world):
    totp_device(world.alice)
    with time_machine.travel(START, tick=False) as clock:
        client = _password_only("alice")
        for _ in range(10):
            client.post(reverse("accounts:mfa"), {"code": "000000"})
        for _ in range(40):
            assert THROTTLED in client.post(reverse("accounts:mfa"), {"code": "000000"}).content.decode()
        for _ in range(20):
            assert (
                client.post(PASSKEY_BEGIN, data=json.dumps({}), content_type="application/json").status_code
                == 429
            )
        first = _refused()
        assert len(first) == 1, f"60 refused attempts in one minute wrote {len(first)} events"
        assert first[0].actor_id == world.alice.pk
        assert first[0].additional["refused_in_the_minute_before"] == 0

        clock.move_to(START + timedelta(minutes=1))
        for _ in range(3):
            assert THROTTLED in client.post(reverse("accounts:mfa"), {"code": "000000"}).content.decode()
        events = _refused()
        assert len(events) == 2
        assert events[1].additional["refused_in_the_minute_before"] == 60
    assert AuditEvent.objects.filter(tag=AuditTag.MfaFailed, actor=world.alice).count() == 10


def test_each_account_is_audited_on_its_own(world):
    for user in (world.alice, world.bob):
        totp_device(user)
    with time_machine.travel(START, tick=False):
        for username in ("alice", "bob"):
            client = _password_only(username)
            for _ in range(13):
                client.post(reverse("accounts:mfa"), {"code": "000000"})
        assert sorted(e.actor_id for e in _refused()) == sorted([world.alice.pk, world.bob.pk])
