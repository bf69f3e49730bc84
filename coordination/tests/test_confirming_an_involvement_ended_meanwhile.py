"""Confirming an old involvement ("I am still working with this child") is for the owner of a current
involvement. The page checks that when the request arrives; the involvement may be ended (the owner in
another tab, or the LA team) before the confirmation is written. The child's log then read "confirmed
still working with the child" after "involvement ended", and an auditor or the family's subject access
report was told the opposite of what happened. It is now judged on the involvement as stored."""

from datetime import date

from django.urls import reverse

import coordination.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement
from children.services import involvement_cease
from coordination.models import InvolvementConfirmation
from coordination.tests.support import record
from lifecycle.shielding import shield_set
from linkage.merging import child_merge
from tests.journeys import signed_in
from tests.personas import make_child


def _confirm_after(world, involvement, monkeypatch, meanwhile):
    confirm = coordination.views.involvement_confirm

    def changed_first(**kwargs):  # committed between the page's check and the write
        meanwhile()
        return confirm(**kwargs)

    monkeypatch.setattr(coordination.views, "involvement_confirm", changed_first)
    return signed_in(world.alice).post(reverse("coordination:confirm_involvement", args=[involvement.pk]))


def test_confirming_an_involvement_ended_meanwhile_is_refused_and_nothing_is_recorded(
    world, child, monkeypatch
):
    involvement = record(child, world.alice)

    response = _confirm_after(
        world,
        involvement,
        monkeypatch,
        lambda: involvement_cease(
            involvement=Involvement.objects.get(pk=involvement.pk), by=world.lena, ended_on=date.today()
        ),
    )

    assert response.status_code == 403
    assert not InvolvementConfirmation.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementConfirmed).exists()
    assert AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=world.alice).additional["reason"] == (
        "not_own_involvement"
    )


def test_confirming_as_the_record_is_shielded_is_refused_and_nothing_is_recorded(world, child, monkeypatch):
    involvement = record(child, world.alice)

    response = _confirm_after(
        world,
        involvement,
        monkeypatch,
        lambda: shield_set(
            child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm"
        ),
    )

    assert response.status_code == 403
    assert not InvolvementConfirmation.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementConfirmed).exists()


def test_confirming_as_the_record_is_merged_into_another_confirms_it_on_the_surviving_record(
    world, child, monkeypatch
):
    """A merge moves the involvement to the surviving record: still Alice's and current, so confirmed,
    and the event is filed under the record it is on now (the merged-away one is gone)."""
    survivor = make_child(world, given_names="Amelia-Rose", postcode="LS6 1AA")
    involvement = record(child, world.alice)

    response = _confirm_after(
        world,
        involvement,
        monkeypatch,
        lambda: child_merge(
            survivor=Child.objects.get(pk=survivor.pk),
            duplicate=Child.objects.get(pk=child.pk),
            by=world.lena,
        ),
    )

    assert response.status_code == 302
    assert InvolvementConfirmation.objects.get().involvement_id == involvement.pk
    assert AuditEvent.objects.get(tag=AuditTag.InvolvementConfirmed).child_id == survivor.pk
