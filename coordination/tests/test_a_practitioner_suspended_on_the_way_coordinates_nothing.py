"""Someone suspended or closed while their coordination change is on its way changes nothing.

Offering to be lead professional, accepting an offer and confirming an involvement judged the person by
the policy at the start of the request, and the services judged the record again under its lock, but
never the person: a practitioner suspended for misuse (by a colleague, or by the viewing rules from their
own other tab) a moment after the page's check still made the offer, named the lead professional or
confirmed the involvement, and the child's log credited a suspended account with it (the gap the record's
own pages closed this session). Each service now judges the person again first, under their account's
lock (`accounts.services.actor_able_locked`), and the page answers as their next request would: the
audited refusal, signed out.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

import coordination.views
from accounts.models import User
from accounts.services import account_close, account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from coordination.models import InvolvementConfirmation, LeadProposal
from coordination.tests.support import record
from coordination.tests.test_lead_professional import _matched
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.personas import World

WRITTEN = [
    AuditTag.LeadProfessionalProposed,
    AuditTag.LeadProfessionalAccepted,
    AuditTag.LeadProfessionalSet,
    AuditTag.InvolvementConfirmed,
]
CHANGES = ["offer", "accept", "confirm"]


class Change:
    """One coordination change on its page, by a practitioner whose policy check passed."""

    def __init__(self, world: World, child: Child, change: str) -> None:
        self.world, self.child, self.change = world, child, change
        if change == "confirm":
            self.actor = world.alice
            self.url = reverse("coordination:confirm_involvement", args=[record(child, world.alice).pk])
        else:
            carol, _alices, _carols, match = _matched(world, child)
            if change == "offer":
                self.actor = carol
                self.url = reverse("coordination:propose_lead", args=[match.pk])
            else:
                assert (
                    signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk])).status_code
                    == 302
                )
                self.actor = world.alice
                self.url = reverse("coordination:accept_lead", args=[LeadProposal.objects.get().pk])
        self.client: Client = signed_in(self.actor)
        self.client.raise_request_exception = False
        self.before = AuditEvent.objects.filter(tag__in=WRITTEN).count()
        self.offers = list(LeadProposal.objects.values_list("pk", "accepted_at"))

    def send(self) -> Any:
        return self.client.post(self.url)

    def nothing_written(self) -> None:
        assert AuditEvent.objects.filter(tag__in=WRITTEN).count() == self.before
        assert list(LeadProposal.objects.values_list("pk", "accepted_at")) == self.offers
        assert not InvolvementConfirmation.objects.exists()
        assert (
            child_details(Child.objects.select_related("data_key").get(pk=self.child.pk)).lead_professional_id
            is None
        )

    def ended(self, how: str) -> Callable[[], Any]:
        def end() -> Any:
            subject, by = User.objects.get(pk=self.actor.pk), User.objects.get(pk=self.world.lena.pk)
            if how == "closed":
                return account_close(user=subject, by=by)
            return account_suspend(user=subject, by=by, reason="Misuse under investigation")

        return end

    def refused_and_signed_out(self, response: Any, how: str) -> None:
        assert response.status_code == 403, response.status_code
        said = "Your account is closed." if how == "closed" else "Your account is suspended."
        assert said in response.content.decode()
        refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=self.actor).get()
        assert refusal.additional["reason"] == ("inactive" if how == "closed" else "suspended")
        assert "_auth_user_id" not in self.client.session


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["suspended", "closed"])
@pytest.mark.parametrize("change", CHANGES)
def test_cut_off_after_the_pages_check_on_the_same_connection_coordinates_nothing(
    world, child, monkeypatch, change, how
):
    sent = Change(world, child, change)
    end = sent.ended(how)
    real = coordination.views._own_as_stored

    def checked_then_ended(*args: Any, **kwargs: Any) -> Any:  # the page has checked; the end commits now
        end()
        return real(*args, **kwargs)

    monkeypatch.setattr(coordination.views, "_own_as_stored", checked_then_ended)
    response = sent.send()
    sent.nothing_written()
    sent.refused_and_signed_out(response, how)


def _race(test: Callable[..., None]) -> Callable[..., None]:
    for mark in postgresql_race("PostgreSQL only: the suspension commits on another session"):
        test = mark(test)
    return test


@_race
@pytest.mark.parametrize("change, how", [*((c, "suspended") for c in CHANGES), ("accept", "closed")])
def test_cut_off_by_a_colleague_after_the_pages_check_coordinates_nothing(
    world, child, monkeypatch, change, how
):
    sent = Change(world, child, change)
    response, _ = paused_for(
        monkeypatch, coordination.views, "_own_as_stored", read=sent.send, write=sent.ended(how)
    )
    monkeypatch.undo()
    sent.nothing_written()
    sent.refused_and_signed_out(response, how)


@pytest.mark.django_db
@pytest.mark.parametrize("change", CHANGES)
def test_a_practitioner_still_able_to_act_coordinates_as_before(world, child, change):
    sent = Change(world, child, change)
    response = sent.send()
    assert response.status_code == 302, response.status_code
    assert AuditEvent.objects.filter(tag__in=WRITTEN).count() > sent.before


@pytest.mark.django_db
def test_accepting_an_offer_still_judges_the_proposer_as_stored(world, child):
    """The acceptor's own lock comes first; the proposer's account is still held and judged after it."""
    sent = Change(world, child, "accept")
    carol = User.objects.get(pk=LeadProposal.objects.get().involvement.recorded_by_id)
    account_suspend(user=carol, by=world.lena, reason="Misuse under investigation")
    response = sent.send()
    assert response.status_code == 302
    sent.nothing_written()
