"""Offering to be lead professional is for the owner of a current involvement with the child, checked by
the page when the request arrives. An ending (the owner's other tab, or the LA team) or a shield committed
before the offer was written left an offer, and its audit event, from someone who no longer worked with
the child or may no longer see it. It is now judged on the involvement and record as stored."""

from datetime import date

from django.urls import reverse

import coordination.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement
from children.services import involvement_cease
from coordination.models import LeadProposal, Match
from coordination.tests.support import record, school_teacher
from coordination.tests.test_lead_professional import _matched
from lifecycle.shielding import shield_set
from linkage.merging import child_merge, child_unmerge
from linkage.tests.test_merge_carries_history import PAUL, _child_of, _fresh
from tests.journeys import signed_in
from tests.personas import make_child


def _offer_after(carol, match, monkeypatch, meanwhile):
    propose = coordination.views.lead_propose

    def changed_first(**kwargs):  # committed between the page's check and the write
        meanwhile()
        return propose(**kwargs)

    monkeypatch.setattr(coordination.views, "lead_propose", changed_first)
    return signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk]))


def test_an_offer_from_an_involvement_ended_meanwhile_is_refused_and_not_kept(world, child, monkeypatch):
    carol, _alices, carols, match = _matched(world, child)

    response = _offer_after(
        carol,
        match,
        monkeypatch,
        lambda: involvement_cease(
            involvement=Involvement.objects.get(pk=carols.pk), by=world.lena, ended_on=date.today()
        ),
    )

    assert response.status_code == 403
    assert not LeadProposal.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed).exists()


def test_an_offer_made_as_the_record_is_shielded_is_refused_and_not_kept(world, child, monkeypatch):
    carol, _alices, _carols, match = _matched(world, child)

    response = _offer_after(
        carol,
        match,
        monkeypatch,
        lambda: shield_set(
            child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm"
        ),
    )

    assert response.status_code == 403
    assert not LeadProposal.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed).exists()


def test_an_offer_on_a_match_an_unmerge_withdrew_meanwhile_is_not_found_not_an_error(world, monkeypatch):
    survivor = _child_of(world, given_names="Oliver", carer=PAUL)
    duplicate = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    record(duplicate, world.alice, role="Allocated social worker")
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    record(_fresh(survivor), school_teacher(world), role="Class teacher")
    match = Match.objects.get()

    response = _offer_after(
        world.alice, match, monkeypatch, lambda: child_unmerge(merge=merge, by=world.lena)
    )

    assert response.status_code == 404
    assert not Match.objects.exists() and not LeadProposal.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed).exists()
