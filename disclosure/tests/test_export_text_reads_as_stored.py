"""A disclosure export's reference and its decision reason must read as they are stored.

The approver decides on the reference (the court order or police reference) as the page shows it, and
the requester reads the reason for the decision: "CO-2026-\u202e811" shows its digits reversed, a
zero-width space makes two references that look the same differ, and a control character is not text
at all. Every other free text a person reads in the service is refused with such characters
(`children.forms.readable`, on `children.text.text_problem`); the export pages took them.
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from disclosure.models import DisclosureExport, ExportStatus, LawfulBasis
from disclosure.services import export_request
from tests.journeys import signed_in
from tests.personas import make_user

HIDDEN = [
    pytest.param("CO-2026-\u202e811", id="right-to-left-override"),
    pytest.param("CO-2026\u200b-118", id="zero-width-space"),
    pytest.param("CO-2026-118\x07", id="control-character"),
]


@pytest.mark.parametrize("reference", HIDDEN)
def test_a_reference_with_invisible_characters_is_refused_and_nothing_is_requested(world, child, reference):
    data = {
        "lawful_basis": LawfulBasis.COURT_ORDER,
        "reference": reference,
        "index_numbers": child.index_number,
        "details": ["name"],
    }
    response = signed_in(world.lena).post(reverse("team:export_new"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The reference contains control or invisible characters" in page
    assert 'class="govuk-error-summary' in page
    assert not DisclosureExport.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.DisclosureExportRequested).exists()


@pytest.mark.parametrize("decision", ["approve", "refuse"])
@pytest.mark.parametrize("reason", HIDDEN)
def test_a_decision_reason_with_invisible_characters_is_refused_and_the_export_stays_waiting(
    world, child, reason, decision
):
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-118",
        children=[child],
        fields=["name"],
    )
    leo = make_user("leo", world.north, Role.LA_TEAM)
    response = signed_in(leo).post(
        reverse("team:export_decision", args=[export.pk]), {"decision": decision, "reason": reason}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The reason contains control or invisible characters" in page
    export.refresh_from_db()
    assert (export.status, export.decided_by, export.decided_at) == (ExportStatus.PENDING, None, None)
    decided = (AuditTag.DisclosureExportApproved, AuditTag.DisclosureExportRefused)
    assert not AuditEvent.objects.filter(tag__in=decided).exists()


def test_a_reference_in_any_script_with_ordinary_punctuation_is_still_accepted(world, child):
    data = {
        "lawful_basis": LawfulBasis.COURT_ORDER,
        "reference": "Llys/CO-2026/118 (Gorchymyn)",
        "index_numbers": child.index_number,
        "details": ["name"],
    }
    response = signed_in(world.lena).post(reverse("team:export_new"), data)
    assert response.status_code == 302
    assert DisclosureExport.objects.count() == 1
