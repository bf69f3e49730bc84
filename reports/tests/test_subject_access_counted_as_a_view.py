"""A subject access report decrypts the whole record (the PDF even the source identifiers): producing
one is a view, so the viewing rules count it. Before, an LA team member could read any number of their
LA's children's records through subject access reports with no bulk-viewing alert and no suspension."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.personas import make_child

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}
NAMES = ["Thornton", "Begum", "Okafor", "Nowak", "Patel", "Hughes", "Murray", "Quinn"]


@pytest.fixture(autouse=True)
def _three_an_hour(settings):
    settings.MISUSE_VIEWS_PER_HOUR = 3
    settings.MISUSE_SUSPEND_FACTOR = 2  # suspend above 6


def test_producing_many_subject_access_reports_in_an_hour_alerts_the_la_team_and_suspends(world):
    children = [make_child(world, family_name=name, postcode="LS6 2QT") for name in NAMES]
    client = signed_in(world.lena)
    shown = 0
    for child in children:
        page = client.post(reverse("audit:subject_access", args=[child.pk]), REQUEST).content.decode()
        shown += "LS6 2QT" in page
    world.lena.refresh_from_db()
    assert world.lena.suspended_at is not None
    misuse = {(a.kind, a.local_authority_id) for a in Alert.objects.filter(raised_by=world.lena)}
    assert misuse == {
        (AlertKind.BULK_VIEWING, world.north.pk),
        (AlertKind.ACCOUNT_AUTO_SUSPENDED, world.north.pk),
    }
    rules = [e.additional["rule"] for e in AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected)]
    assert rules.count("bulk_viewing") == 2  # the alert, then the suspension
    assert shown == 6  # the 7th report passed the hard threshold: nothing shown to the suspended account


def test_the_html_copy_and_the_pdf_of_one_childs_report_count_as_one_child(world):
    children = [make_child(world, family_name=name, postcode="LS6 2QT") for name in NAMES[:3]]
    client = signed_in(world.lena)
    for child in children:
        client.post(reverse("audit:subject_access", args=[child.pk]), REQUEST)
        client.post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    assert not Alert.objects.filter(raised_by=world.lena).exists()
