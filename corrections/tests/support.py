"""Shared steps for the corrections and complaints tests (synthetic people only)."""

from datetime import date

from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from children.models import Child
from corrections.models import Complaint, Correction
from corrections.services import complaint_record
from tests.journeys import state_purpose
from tests.personas import World


def raise_via_page(client: Client, child: Child, field: str, data: dict[str, str]) -> Correction:
    """State a purpose, then send a correction through the page; returns the correction it made."""
    state_purpose(client, child, purpose="checking_details")
    response = client.post(reverse("corrections:propose", args=[child.pk, field]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("corrections:mine")
    return Correction.objects.filter(child=child, field=field).latest("raised_at")


def events(tag: str, **additional: object) -> list[AuditEvent]:
    found = AuditEvent.objects.filter(tag=tag)
    return [e for e in found if all(e.additional.get(k) == v for k, v in additional.items())]


def fresh(child: Child) -> Child:
    """The child as the database holds it now (a fixture's copy keeps the columns it was made with)."""
    return Child.objects.select_related("data_key").get(pk=child.pk)


def complaint_from_the_child(world: World, child: Child) -> Complaint:
    """A complaint from the child about the record, received on 2 November 2026 and recorded by North's
    LA team (lena)."""
    return complaint_record(
        child=child,
        by=world.lena,
        complainant="child",
        about="record",
        received_on=date(2026, 11, 2),
        summary="Says the school on the record is wrong",
    )
