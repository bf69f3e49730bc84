"""An offer accepted as the LA team suspends its proposer (two real sessions on PostgreSQL). Accepting
judged the proposer's account as read, unlocked: a suspension committed after that read and before the
acceptance's commit was not seen, and the practitioner was named lead professional after their
suspension (the outcome session 24 closed on the lead professional page, by this route). The acceptance
now reads the proposer's row under a lock (FOR KEY SHARE, `children.services.practitioner_held`, as the lead professional page): a suspension
committed first is seen and the offer refused; one arriving later waits for the acceptance."""

import threading
import time

from django.urls import reverse

import coordination.services
from accounts.models import User
from accounts.services import account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from coordination.models import LeadProposal
from coordination.tests.test_lead_professional import _matched
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import make_child

pytestmark = postgresql_race()


def test_a_proposer_suspended_while_their_offer_is_accepted_is_never_named_lead_after_the_suspension(
    world, monkeypatch
):
    child = make_child(world)
    carol, _alices, _carols, match = _matched(world, child)
    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    proposal = LeadProposal.objects.get()
    judged = threading.Barrier(2)
    refusal_of = coordination.services._lead_proposer_refusal

    def judged_then_slow(*args: object, **kwargs: object) -> str:
        refusal = refusal_of(*args, **kwargs)
        judged.wait(timeout=10)  # the acceptance has judged the proposer: the suspension starts now
        time.sleep(0.5)  # and commits meanwhile, unless the acceptance holds the proposer's row
        return refusal

    monkeypatch.setattr(coordination.services, "_lead_proposer_refusal", judged_then_slow)
    alice = signed_in(world.alice)

    def work(index: int) -> object:
        if index == 0:
            return alice.post(reverse("coordination:accept_lead", args=[proposal.pk])).status_code
        judged.wait(timeout=10)
        return account_suspend(user=User.objects.get(pk=carol.pk), by=world.lena, reason="Misuse")

    accepted_status, suspended = run_together(2, work)

    assert accepted_status == 302 and suspended is True
    suspended_at = User.objects.get(pk=carol.pk).suspended_at
    accepted_at = LeadProposal.objects.get().accepted_at
    lead = child_details(Child.objects.get(pk=child.pk)).lead_professional_id
    assert suspended_at is not None
    if accepted_at is None:
        assert lead is None
        assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted).exists()
    else:
        # Named before the suspension (it waited for the acceptance), never after it was committed.
        assert accepted_at < suspended_at, "named lead professional after the suspension was committed"
        suspended_event = AuditEvent.objects.get(tag=AuditTag.AccountSuspended)
        accepted_event = AuditEvent.objects.get(tag=AuditTag.LeadProfessionalAccepted)
        assert accepted_event.pk < suspended_event.pk
