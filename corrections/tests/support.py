"""Shared steps for the corrections and complaints tests (synthetic people only)."""

from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from children.models import Child
from corrections.models import Correction
from tests.journeys import state_purpose


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
