"""Someone suspended or closed while their change to a child's record is on its way changes nothing.

The record's pages (recording an involvement, ending one, naming the lead professional, the CAF flag)
judged the person by the policy at the start of the request, and the services judged the record again
under its lock but never the person: a practitioner suspended for misuse (by a colleague, or by the
viewing rules from their own other tab) a moment after the page's check still recorded an involvement
or changed the record, and the log credited a suspended account with it (the gap corrections, lifecycle,
linkage and break-glass closed in sessions 26 to 28). Each service now judges the person again first,
under their account's lock (`accounts.services.actor_able_locked`), and the page answers as their next
request would: the audited refusal, signed out.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

import children.views
from accounts.models import User
from accounts.services import account_close, account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement
from children.records import InvolvementDetails
from children.selectors import child_details
from children.services import involvement_record
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import INVOLVEMENT_FORM, signed_in, state_purpose
from tests.personas import World

WRITTEN = [
    AuditTag.InvolvementRecorded,
    AuditTag.InvolvementCeased,
    AuditTag.LeadProfessionalSet,
    AuditTag.CafFlagSet,
]
CHANGES = ["record", "end", "lead", "caf"]


class Change:
    """Alice's change on the record's page, from a page whose policy check passed her."""

    def __init__(self, world: World, child: Child, change: str) -> None:
        self.world, self.child, self.change = world, child, change
        self.involvement = involvement_record(
            child=child,
            by=world.alice,
            details=InvolvementDetails(
                "Alice Example", "Key worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
            ),
        )
        self.client: Client = signed_in(world.alice)
        state_purpose(self.client, child)
        self.client.raise_request_exception = False
        self.before = AuditEvent.objects.filter(tag__in=WRITTEN).count()

    def send(self) -> Any:
        pk = self.child.pk
        url, body = {
            "record": (reverse("children:involvement_new", args=[pk]), INVOLVEMENT_FORM),
            "end": (
                reverse("children:involvement_end", args=[pk, self.involvement.pk]),
                {"end_day": "1", "end_month": "3", "end_year": "2025"},
            ),
            "lead": (
                reverse("children:lead_professional", args=[pk]),
                {"involvement": str(self.involvement.pk)},
            ),
            "caf": (reverse("children:caf", args=[pk]), {"caf_completed": "yes"}),
        }[self.change]
        return self.client.post(url, body)

    def nothing_written(self) -> None:
        assert AuditEvent.objects.filter(tag__in=WRITTEN).count() == self.before
        assert list(Involvement.objects.filter(child=self.child).values_list("pk", "ceased")) == [
            (self.involvement.pk, False)
        ]
        details = child_details(Child.objects.select_related("data_key").get(pk=self.child.pk))
        assert (details.lead_professional_id, details.caf_completed) == (None, False)


def _ended(world: World, how: str) -> Callable[[], Any]:
    def end() -> Any:
        subject, by = User.objects.get(pk=world.alice.pk), User.objects.get(pk=world.lena.pk)
        if how == "closed":
            return account_close(user=subject, by=by)
        return account_suspend(user=subject, by=by, reason="Misuse under investigation")

    return end


def _refused_and_signed_out(change: Change, response: Any, how: str) -> None:
    assert response.status_code == 403, response.status_code
    said = "Your account is closed." if how == "closed" else "Your account is suspended."
    assert said in response.content.decode()
    refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=change.world.alice).get()
    assert refusal.additional["reason"] == ("inactive" if how == "closed" else "suspended")
    assert "_auth_user_id" not in change.client.session


@pytest.mark.django_db
@pytest.mark.parametrize("change", CHANGES)
def test_suspended_after_the_pages_check_on_the_same_connection_changes_nothing(
    world, child, monkeypatch, change
):
    sent = Change(world, child, change)
    end = _ended(world, "suspended")
    real = children.views.still_permitted

    def checked_then_suspended(**kwargs: Any) -> Any:  # the page has checked; the suspension commits now
        end()
        return real(**kwargs)

    monkeypatch.setattr(children.views, "still_permitted", checked_then_suspended)
    response = sent.send()
    sent.nothing_written()
    _refused_and_signed_out(sent, response, "suspended")


def _race(test: Callable[..., None]) -> Callable[..., None]:
    for mark in postgresql_race("PostgreSQL only: the suspension commits on another session"):
        test = mark(test)
    return test


@_race
@pytest.mark.parametrize(
    "change, how", [*((change, "suspended") for change in CHANGES), ("record", "closed"), ("caf", "closed")]
)
def test_suspended_by_a_colleague_after_the_pages_check_changes_nothing(
    world, child, monkeypatch, change, how
):
    sent = Change(world, child, change)
    response, _ = paused_for(
        monkeypatch, children.views, "still_permitted", read=sent.send, write=_ended(world, how)
    )
    monkeypatch.undo()
    sent.nothing_written()
    _refused_and_signed_out(sent, response, how)


@pytest.mark.django_db
@pytest.mark.parametrize("change", CHANGES)
def test_a_practitioner_still_able_to_act_changes_the_record_as_before(world, child, change):
    sent = Change(world, child, change)
    assert sent.send().status_code == 302
    assert AuditEvent.objects.filter(tag__in=WRITTEN).count() == sent.before + 1
