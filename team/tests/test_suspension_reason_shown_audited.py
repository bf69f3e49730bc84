"""Reading why an account was suspended is audited, as reading any sealed note is.

A suspension's reason (often about misuse: "searched a relative", or the automatic rule that fired) is
sealed under the account's notes key; the LA team's and the national administrator's account pages
unsealed and showed it with no audit event, so who had read it could not be told
(docs/DECISIONS.md section 18, Left).
"""

import pytest
from django.urls import reverse

from accounts.services import account_suspend
from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in

pytestmark = pytest.mark.django_db

REASON = "Searches not explained"


def _shown(actor) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(tag=AuditTag.SuspensionReasonShown, actor=actor))


def test_the_la_team_reading_a_suspension_reason_is_audited(world):
    assert account_suspend(user=world.alice, by=world.lena, reason=REASON)

    page = signed_in(world.lena).get(reverse("team:user", args=[world.alice.pk])).content.decode()

    assert REASON in page
    [event] = _shown(world.lena)
    assert event.additional["user_id"] == world.alice.pk
    assert REASON not in str(event.additional)


def test_the_national_administrator_reading_one_is_audited(world):
    admin = administrator(world)
    assert account_suspend(user=world.lena, by=admin, reason=REASON)

    page = signed_in(admin).get(reverse("administration:account", args=[world.lena.pk])).content.decode()

    assert REASON in page
    assert [e.additional["user_id"] for e in _shown(admin)] == [world.lena.pk]


def test_the_page_of_an_account_not_suspended_audits_no_reading(world):
    signed_in(world.lena).get(reverse("team:user", args=[world.alice.pk]))
    assert not AuditEvent.objects.filter(tag=AuditTag.SuspensionReasonShown).exists()
