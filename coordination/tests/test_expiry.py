"""Involvements left open: after 2 years the owner is asked to confirm or end them (frozen clock)."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from coordination.models import InvolvementConfirmation
from coordination.tests.support import inbox_page, record
from tests.journeys import signed_in

CONFIRM = "Are you still working with these children?"


def _inbox_in_the_future(user) -> str:
    """Vetting is renewed (training yearly, background check every 3 years), else the inbox refuses."""
    user.training_completed_on = user.background_check_on = timezone.localdate()
    user.save(update_fields=["training_completed_on", "background_check_on"])
    return inbox_page(user)


def test_an_involvement_open_for_two_years_asks_its_owner_to_confirm_it(world, child):
    recorded_at = timezone.now()
    with time_machine.travel(recorded_at, tick=False):
        record(child, world.alice)
    with time_machine.travel(recorded_at + timedelta(days=729), tick=False):
        assert CONFIRM not in _inbox_in_the_future(world.alice)
    with time_machine.travel(recorded_at + timedelta(days=731), tick=False):
        page = _inbox_in_the_future(world.alice)
        assert CONFIRM in page and "Amelia Thornton" in page


def test_confirming_quietens_the_reminder_for_another_two_years(world, child):
    recorded_at = timezone.now()
    with time_machine.travel(recorded_at, tick=False):
        involvement = record(child, world.alice)
    confirmed_at = recorded_at + timedelta(days=731)
    with time_machine.travel(confirmed_at, tick=False):
        _inbox_in_the_future(world.alice)
        response = signed_in(world.alice).post(
            reverse("coordination:confirm_involvement", args=[involvement.pk])
        )
        assert response.status_code == 302
        assert CONFIRM not in _inbox_in_the_future(world.alice)
    assert InvolvementConfirmation.objects.get().involvement == involvement
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementConfirmed, actor=world.alice).count() == 1
    with time_machine.travel(confirmed_at + timedelta(days=731), tick=False):
        assert CONFIRM in _inbox_in_the_future(world.alice)


def test_only_the_owner_confirms_an_involvement(world, child):
    involvement = record(child, world.alice)
    response = signed_in(world.bob).post(reverse("coordination:confirm_involvement", args=[involvement.pk]))
    assert response.status_code == 403
    assert not InvolvementConfirmation.objects.exists()


def test_an_ended_involvement_asks_nothing(world, child):
    from datetime import date

    from children.services import involvement_cease

    recorded_at = timezone.now()
    with time_machine.travel(recorded_at, tick=False):
        involvement = record(child, world.alice)
        involvement_cease(involvement=involvement, by=world.alice, ended_on=date(2025, 1, 1))
    with time_machine.travel(recorded_at + timedelta(days=800), tick=False):
        assert CONFIRM not in _inbox_in_the_future(world.alice)
