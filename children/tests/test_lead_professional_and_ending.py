"""Naming a lead professional and ending involvements, from pages read before the other happened.

Two tabs (or two colleagues): one names Alice's involvement lead professional while the other ends it.
Each used to judge from the copy its page had read, so the record could be left with an ended
involvement as its lead professional. Both now lock the child's record and judge what is stored.
"""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement
from children.records import InvolvementDetails
from children.selectors import child_details, child_record
from children.services import involvement_cease, involvement_record, lead_professional_set
from tests.journeys import signed_in, state_purpose


def _social_work(world, child) -> Involvement:
    details = InvolvementDetails(
        "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
    )
    involvement_record(child=child, by=world.alice, details=details)
    return Involvement.objects.select_related("child__data_key").get()


def _fresh(child: Child) -> Child:
    return Child.objects.select_related("data_key").get(pk=child.pk)


def test_naming_an_involvement_that_has_ended_since_the_page_read_it_is_refused(world, child):
    read = _social_work(world, child)  # the lead professional page has read it: current
    involvement_cease(
        involvement=Involvement.objects.select_related("child__data_key").get(pk=read.pk),
        by=world.alice,
        ended_on=date(2026, 6, 1),
    )
    with pytest.raises(ValueError):
        lead_professional_set(child=_fresh(child), by=world.alice, involvement=read)
    assert child_details(_fresh(child)).lead_professional_id is None


def test_ending_an_involvement_named_lead_since_the_page_read_the_record_clears_the_lead(world, child):
    read = _social_work(world, child)  # the end page has read the record: no lead professional yet
    lead_professional_set(child=_fresh(child), by=world.alice, involvement=read)
    involvement_cease(involvement=read, by=world.alice, ended_on=date(2026, 6, 1))
    assert child_details(_fresh(child)).lead_professional_id is None


def test_ending_an_involvement_already_ended_changes_nothing_and_is_audited_once(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    involvement = _social_work(world, child)
    url = reverse("children:involvement_end", args=[child.pk, involvement.pk])
    client.post(url, {"end_day": "1", "end_month": "3", "end_year": "2025"}, follow=True)
    again = client.post(url, {"end_day": "9", "end_month": "9", "end_year": "2026"}, follow=True)
    page = again.content.decode()
    assert "This involvement has already ended" in page and "Important" in page and "Success" not in page
    [item] = child_record(child).involvements
    assert str(item.details.ended_on) == "2025-03-01"
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementCeased, child_id=child.pk).count() == 1
