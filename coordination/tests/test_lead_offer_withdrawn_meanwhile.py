"""A lead-professional offer withdrawn while it is being accepted: an unmerge withdraws a "same child" match
it splits between two children, and its offers go with it (`coordination.family.matches_untrue_withdraw`).
The acceptance that had already passed the page's check then found no offer: a server error. It is now
told that the offer is no longer there, and nothing is written."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse

import coordination.views
from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from coordination.models import LeadProposal, Match
from coordination.services import LEAD_OFFER_OVERTAKEN, LEAD_OFFER_WITHDRAWN
from coordination.tests.support import record, school_teacher
from linkage.merging import child_merge, child_unmerge
from linkage.models import ChildMerge
from linkage.tests.test_merge_carries_history import PAUL, _child_of, _fresh
from tests.concurrency import run_together
from tests.journeys import signed_in
from tests.personas import make_child


def test_an_offer_withdrawn_by_an_unmerge_while_it_is_accepted_is_refused_with_a_message_not_an_error(
    world, monkeypatch
):
    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    alices = record(duplicate, world.alice, role="Allocated social worker")
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    carol = school_teacher(world)
    record(_fresh(survivor), carol, role="Class teacher")
    signed_in(world.alice).post(reverse("coordination:propose_lead", args=[Match.objects.get().pk]))
    proposal = LeadProposal.objects.get(involvement=alices)
    accept = coordination.views.lead_accept

    def unmerged_first(**kwargs):  # the LA team's unmerge commits between the page's check and the write
        child_unmerge(merge=merge, by=world.lena)
        return accept(**kwargs)

    monkeypatch.setattr(coordination.views, "lead_accept", unmerged_first)
    client = signed_in(carol)
    response = client.post(reverse("coordination:accept_lead", args=[proposal.pk]))

    assert response.status_code == 302
    assert LEAD_OFFER_WITHDRAWN in client.get(response["Location"]).content.decode()
    assert not LeadProposal.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted).exists()
    for child in Child.objects.all():
        assert child_details(child).lead_professional_id is None


def _accepting_while(world, monkeypatch, *, offer_child_of, change):
    """Carol accepts Alice's offer (the page, one session) while the LA team (another session) holds the
    offer's child's row and changes the records under it: the acceptance, past the page's checks, reads the
    offer and then waits for the row. Returns the page's response and the result of the change."""
    barrier = threading.Barrier(2)
    locked = threading.Event()
    accept = coordination.views.lead_accept

    def met_then_accepted(**kwargs):
        barrier.wait(timeout=10)
        locked.wait(5)
        time.sleep(0.1)
        return accept(**kwargs)

    monkeypatch.setattr(coordination.views, "lead_accept", met_then_accepted)
    carol = User.objects.get(username="carol")
    client = signed_in(carol)
    proposal = LeadProposal.objects.get()

    def work(index: int) -> object:
        if index == 0:
            return client.post(reverse("coordination:accept_lead", args=[proposal.pk]))
        barrier.wait(timeout=10)
        with transaction.atomic():  # the change's own lock on the child, a moment early so the two overlap
            Child.objects.select_for_update().get(pk=offer_child_of().pk)
            locked.set()
            time.sleep(0.5)
            return change()

    response, changed = run_together(2, work)
    return client, response, changed


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_an_acceptance_waiting_on_an_unmerge_that_withdraws_the_offer_is_refused_not_an_error(
    world, monkeypatch
):
    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    record(duplicate, world.alice, role="Allocated social worker")
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    carol = school_teacher(world)
    record(_fresh(survivor), carol, role="Class teacher")
    signed_in(world.alice).post(reverse("coordination:propose_lead", args=[Match.objects.get().pk]))

    client, response, _restored = _accepting_while(
        world,
        monkeypatch,
        offer_child_of=lambda: survivor,
        change=lambda: child_unmerge(merge=ChildMerge.objects.get(pk=merge.pk), by=world.lena),
    )

    assert response.status_code == 302
    assert LEAD_OFFER_WITHDRAWN in client.get(response["Location"]).content.decode()
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted).exists()
    for child in Child.objects.all():
        assert child_details(child).lead_professional_id is None


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_an_acceptance_waiting_on_a_merge_of_the_offers_record_is_refused_not_an_error(world, monkeypatch):
    """The offer was made on a record merged away while the acceptance waited for its row: the record the
    acceptance locked is gone (the merge deleted it). Refused as overtaken (the lead it saw was another
    record's), never a server error."""
    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    record(duplicate, world.alice, role="Allocated social worker")
    carol = school_teacher(world)
    record(_fresh(duplicate), carol, role="Class teacher")
    signed_in(world.alice).post(reverse("coordination:propose_lead", args=[Match.objects.get().pk]))

    client, response, _merge = _accepting_while(
        world,
        monkeypatch,
        offer_child_of=lambda: duplicate,
        change=lambda: child_merge(survivor=_fresh(survivor), duplicate=_fresh(duplicate), by=world.lena),
    )

    assert response.status_code == 302
    assert LEAD_OFFER_OVERTAKEN in client.get(response["Location"]).content.decode()
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted).exists()
    assert child_details(_fresh(survivor)).lead_professional_id is None
