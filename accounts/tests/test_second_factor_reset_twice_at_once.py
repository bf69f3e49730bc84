"""Two second-factor resets of one account at once (a double click on the confirmation, two colleagues).

An account with no invitation row (the demo's, an account made before invitations) had none to lock:
both resets read "no invitation", the second waited for the first's account lock, then inserted a second
invitation row for the account and failed on its unique key (a server error). The second now finds the
first's row under the account lock and starts again with it locked first, as every writer takes it.
"""

from typing import Any

from django.core import mail
from django.db import DatabaseError

from accounts import services
from accounts.models import Invitation, User
from accounts.services import mfa_reset
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import meeting_before, postgresql_race, run_together
from tests.journeys import totp_device

pytestmark = postgresql_race()


def test_two_resets_at_once_of_an_account_without_an_invitation_both_answer(world, monkeypatch):
    totp_device(world.alice)
    assert not Invitation.objects.filter(user=world.alice).exists()
    monkeypatch.setattr(services, "_accounts_locked", meeting_before(services._accounts_locked))
    mail.outbox.clear()

    def work(index: int) -> Any:
        try:
            return mfa_reset(user=User.objects.get(pk=world.alice.pk), by=world.lena)
        except DatabaseError as error:
            return error

    results = run_together(2, work)

    assert all(isinstance(result, services.MfaReset) and result for result in results), results
    assert Invitation.objects.filter(user=world.alice).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.MfaReset).count() == 2
