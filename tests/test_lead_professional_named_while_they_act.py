"""A practitioner named lead professional while they themselves act on the same record: never a deadlock.

Every decider's writing transaction locks its own account first (`accounts.services.actor_able_locked`,
FOR NO KEY UPDATE), then the child's row: Carol raising a correction on Amelia's record takes her account,
then Amelia's row. Naming a lead professional (`children.services.lead_professional_set`) and accepting
a lead offer (`coordination.services`) judge the named practitioner's account again under a lock taken
after the child's row. Taken FOR NO KEY UPDATE, which conflicts with Carol's own, Alice naming Carol lead
at the moment Carol sent her correction deadlocked: each held what the other waited for, and PostgreSQL
failed one of the two requests (a server error). The named practitioner's account is now held FOR KEY
SHARE: it still waits for a suspension or a close in progress (they lock the row FOR UPDATE) and holds
off one arriving, but not the practitioner's own decisions.
"""

import threading
from datetime import date
from typing import Any

from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from corrections.fields import field_for
from corrections.models import Correction
from tests.concurrency import postgresql_race, run_together
from tests.journeys import involved
from tests.personas import build_world, make_child, make_user

pytestmark = postgresql_race()


def _carol_raises_a_correction(child: Child, carol: User) -> str:
    """Carol's own decision on the record: her account locked first, then the child's row."""
    import corrections.services

    field = field_for("given_names")
    assert field is not None
    corrections.services.correction_raise(
        child=Child.objects.select_related("data_key").get(pk=child.pk),
        field=field,
        value="Amelia-Rose",
        reason="Synthetic reason",
        by=User.objects.get(pk=carol.pk),
    )
    return "raised"


def test_carol_named_lead_as_she_raises_a_correction_on_the_same_record_both_are_saved(monkeypatch):
    import children.services
    import corrections.services
    from access.policy import prerequisites

    world = build_world()
    child = make_child(world)
    involved(
        world.alice, child, name="Alice Example", role="Family support worker", started_on=date(2024, 1, 1)
    )
    carol = make_user("carol", world.north_social_care)
    carols = involved(
        carol, child, name="Carol Example", role="Family support worker", started_on=date(2024, 1, 1)
    )
    alice_holds_the_record, carol_holds_her_account = threading.Event(), threading.Event()
    naming, raising = [], []

    real_child_locked = children.services._child_row_locked

    def child_locked(child_id: Any) -> Child:
        locked = real_child_locked(child_id)
        if threading.current_thread() in naming:  # Alice's save holds Amelia's row: Carol has her account
            alice_holds_the_record.set()
            assert carol_holds_her_account.wait(timeout=10)
        return locked

    real_actor_locked = corrections.services.actor_able_locked

    def actor_locked(actor: User, **kwargs: Any) -> None:
        real_actor_locked(actor, **kwargs)
        if threading.current_thread() in raising:  # Carol holds her account: Alice has Amelia's row
            carol_holds_her_account.set()
            assert alice_holds_the_record.wait(timeout=10)

    monkeypatch.setattr(children.services, "_child_row_locked", child_locked)
    monkeypatch.setattr(corrections.services, "actor_able_locked", actor_locked)

    def work(index: int) -> Any:
        if index == 0:
            naming.append(threading.current_thread())
            children.services.lead_professional_set(
                child=Child.objects.select_related("data_key").get(pk=child.pk),
                by=User.objects.get(pk=world.alice.pk),
                involvement=carols,
                may_lead=lambda practitioner: prerequisites(practitioner).allowed,
            )
            return "named"
        raising.append(threading.current_thread())
        return _carol_raises_a_correction(child, carol)

    assert run_together(2, work) == ["named", "raised"]
    stored = Child.objects.select_related("data_key").get(pk=child.pk)
    assert child_details(stored).lead_professional_id == str(carols.pk)
    assert Correction.objects.filter(child_id=child.pk, raised_by=carol).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalSet).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.CorrectionRaised).count() == 1


def test_carols_offer_accepted_as_she_raises_a_correction_on_the_same_record_both_are_saved(
    world, monkeypatch
):
    """The same on the other way to name a lead: Alice accepting Carol's offer (the child's row, the
    offer, then Carol's account judged again) as Carol sends a correction on the record."""
    from django.urls import reverse

    import coordination.services
    import corrections.services
    from coordination.models import LeadProposal
    from coordination.tests.test_lead_professional import _matched
    from tests.journeys import signed_in

    child = make_child(world)
    carol, _alices, carols, match = _matched(world, child)
    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    proposal = LeadProposal.objects.get()
    alice_holds_the_record, carol_holds_her_account = threading.Event(), threading.Event()
    accepting, raising = [], []

    real_accept_refusal = coordination.services._lead_accept_refusal

    def accept_refusal(*args: Any, **kwargs: Any) -> str:
        refusal = real_accept_refusal(*args, **kwargs)
        if threading.current_thread() in accepting:  # the child's row and the offer held
            alice_holds_the_record.set()
            assert carol_holds_her_account.wait(timeout=10)
        return refusal

    real_actor_locked = corrections.services.actor_able_locked

    def actor_locked(actor: User, **kwargs: Any) -> None:
        real_actor_locked(actor, **kwargs)
        if threading.current_thread() in raising:
            carol_holds_her_account.set()
            assert alice_holds_the_record.wait(timeout=10)

    monkeypatch.setattr(coordination.services, "_lead_accept_refusal", accept_refusal)
    monkeypatch.setattr(corrections.services, "actor_able_locked", actor_locked)
    alice = signed_in(world.alice)

    def work(index: int) -> Any:
        if index == 0:
            accepting.append(threading.current_thread())
            return alice.post(reverse("coordination:accept_lead", args=[proposal.pk])).status_code
        raising.append(threading.current_thread())
        return _carol_raises_a_correction(child, carol)

    assert run_together(2, work) == [302, "raised"]
    stored = Child.objects.select_related("data_key").get(pk=child.pk)
    assert child_details(stored).lead_professional_id == str(carols.pk)
    assert LeadProposal.objects.get().accepted_at is not None
    assert Correction.objects.filter(child_id=child.pk, raised_by=carol).count() == 1
