"""Accepting a lead-professional offer is for the owner of a current involvement with the child. The page
checks that when the request arrives; the acceptor's own involvement may be ended (by them in another tab,
or by the LA team) before the acceptance is written. The acceptance must be judged on the involvement as
stored under the child's lock, as the proposer's is: never a lead professional chosen by someone who no
longer works with the child."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, transaction
from django.urls import reverse

import coordination.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement
from children.selectors import child_details
from children.services import involvement_cease
from coordination.models import LeadProposal
from coordination.tests.test_lead_professional import _matched
from tests.concurrency import run_together
from tests.journeys import signed_in
from tests.personas import make_child


def _lead(child: Child) -> str | None:
    return child_details(Child.objects.get(pk=child.pk)).lead_professional_id


def test_accepting_an_offer_as_ones_own_involvement_is_ended_is_refused_and_sets_no_lead(
    world, child, monkeypatch
):
    carol, alices, _carols, match = _matched(world, child)
    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    accept = coordination.views.lead_accept

    def ended_first(**kwargs):  # Alice's ending (another tab) commits between the page's check and the write
        involvement_cease(
            involvement=Involvement.objects.get(pk=alices.pk), by=world.alice, ended_on=date.today()
        )
        return accept(**kwargs)

    monkeypatch.setattr(coordination.views, "lead_accept", ended_first)
    response = signed_in(world.alice).post(
        reverse("coordination:accept_lead", args=[LeadProposal.objects.get().pk])
    )

    assert _lead(child) is None
    assert LeadProposal.objects.get().accepted_at is None
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted).exists()
    assert response.status_code == 403
    refusal = AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=world.alice)
    assert refusal.additional["reason"] == "not_own_involvement"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.parametrize("ending_first", [True, False], ids=["ending holds the lock", "acceptance first"])
def test_an_acceptance_racing_the_acceptors_own_ending_is_accepted_before_it_or_refused(
    world, monkeypatch, ending_first
):
    """Two real sessions: Alice's acceptance (the page) and the LA team ending Alice's involvement, both
    past their checks before either writes. Either the acceptance is written first (then the ending), or
    it waits for the ending and is refused: never an acceptance written after the acceptor's involvement
    ended. `ending_first` makes the ending take the child's row a moment before the acceptance reaches it."""
    child = make_child(world)
    carol, alices, _carols, match = _matched(world, child)
    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))
    proposal = LeadProposal.objects.get()
    client = signed_in(world.alice)
    barrier = threading.Barrier(2)
    locked = threading.Event()
    accept = coordination.views.lead_accept

    def met_then_accepted(**kwargs):
        barrier.wait(timeout=10)
        if ending_first:
            locked.wait(5)
            time.sleep(0.1)
        return accept(**kwargs)

    monkeypatch.setattr(coordination.views, "lead_accept", met_then_accepted)

    def work(index: int) -> object:
        if index == 0:
            return client.post(reverse("coordination:accept_lead", args=[proposal.pk]))
        barrier.wait(timeout=10)
        with transaction.atomic():
            if ending_first:  # involvement_cease's first statement, a moment early so the two overlap
                Child.objects.select_for_update().get(pk=child.pk)
                locked.set()
                time.sleep(0.5)
            else:
                time.sleep(0.3)
            involvement_cease(
                involvement=Involvement.objects.get(pk=alices.pk), by=world.lena, ended_on=date.today()
            )
        return "ended"

    page, ended = run_together(2, work)

    assert ended == "ended"
    ceased = AuditEvent.objects.get(tag=AuditTag.InvolvementCeased, child_id=child.pk)
    accepted = AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted, child_id=child.pk).first()
    if accepted is not None:
        assert page.status_code == 302
        assert accepted.pk < ceased.pk, "accepted after the acceptor's involvement ended"
    else:
        assert page.status_code == 403
        assert _lead(child) is None
    assert (accepted is None) == ending_first
