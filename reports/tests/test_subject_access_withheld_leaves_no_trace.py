"""Subject access: what the report withholds must not be given away by the entries it keeps.

The report withholds a correction asked for by a sensitive service (or by a police officer whose enquiry
the covert-enquiry rule covers), and a sensitive service's involvement. The LA team's own work on those
(opening and deciding the correction, the record update it made, ending the involvement, naming it lead
professional) was still listed in the access list, by the LA team, while the corrections section said
"No corrections have been asked for." and the services section showed no such service: the requester
learnt that something the report does not show exists, and when it was dealt with.
"""

from datetime import date
from io import BytesIO

from django.urls import reverse
from pypdf import PdfReader

from accounts.models import OrganisationKind
from audit.models import AuditEvent
from audit.tags import AuditTag, tag_label
from children.services import involvement_cease, lead_professional_set
from coordination.tests.support import clinic_nurse, organisation, record
from corrections.fields import field_for
from corrections.models import Correction
from corrections.services import correction_accept, correction_raise, correction_reject
from reports.subject_access import subject_access_report
from reports.tests.reporting import viewed
from tests.journeys import signed_in
from tests.personas import make_user

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}
CORRECTION_WORK = (
    tag_label(AuditTag.CorrectionOpened),
    tag_label(AuditTag.CorrectionAccepted),
    tag_label(AuditTag.CorrectionRejected),
    tag_label(AuditTag.ChildUpdated),
)


def _pdf_text(world, child, data=None) -> str:
    response = signed_in(world.lena).post(
        reverse("audit:subject_access_pdf", args=[child.pk]), data or REQUEST
    )
    assert response.status_code == 200
    return " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages).split())


def _decided_by_the_la_team(world, correction: Correction, *, accept: bool) -> None:
    """The LA team opens the correction on its decision page (audited), then decides it."""
    assert signed_in(world.lena).get(reverse("corrections:decide", args=[correction.pk])).status_code == 200
    if accept:
        correction_accept(correction=correction, by=world.lena)
    else:
        correction_reject(correction=correction, by=world.lena, reason="The record is right")


def test_the_la_teams_decision_on_a_sensitive_services_correction_is_not_listed_for_the_requester(
    world, child
):
    nurse = clinic_nurse(world)
    record(child, nurse, role="Sexual health nurse")
    correction = correction_raise(
        child=child, field=field_for("given_names"), value="Amelie", reason="Told by the child", by=nurse
    )
    _decided_by_the_la_team(world, correction, accept=True)
    assert AuditEvent.objects.filter(tag=AuditTag.CorrectionAccepted, actor=world.lena).exists()

    text = _pdf_text(world, child)
    assert "Amelie Thornton" in text  # the record as corrected is the child's
    assert "No corrections have been asked for." in text
    for trace in CORRECTION_WORK:
        assert trace not in text, trace
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    assert report.withheld_sensitive_corrections == 1
    # Counted for the LA team with the sensitive service's other entries: opened, updated, accepted.
    assert report.withheld_sensitive_accesses >= 3


def test_the_la_teams_work_on_a_correction_of_a_covert_enquiry_is_withheld_with_it(world, child):
    viewed(child, world.olivia, purpose="safeguarding")
    correction = correction_raise(
        child=child,
        field=field_for("given_names"),
        value="Amelie",
        reason="Seen on a document",
        by=world.olivia,
    )
    _decided_by_the_la_team(world, correction, accept=False)

    text = _pdf_text(world, child)
    assert "No corrections have been asked for." in text
    for trace in CORRECTION_WORK:
        assert trace not in text, trace
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    # The view, the request for the correction and the correction itself, then the LA team's opening and
    # rejection of it: all withheld under the rule, all counted for the LA team.
    assert report.withheld_covert == 5
    # With the rule switched off the enquiry is disclosed, the LA team's work on it included.
    disclosed = subject_access_report(
        child=child, produced_by=world.lena, reference="SAR-1", withhold_covert=False
    )
    listed = [entry.description for entry in disclosed.accesses]
    assert tag_label(AuditTag.CorrectionRejected) in listed
    assert disclosed.withheld_covert == 0 and disclosed.covert_disclosed == 5


def test_the_la_team_ending_a_sensitive_service_or_naming_it_lead_professional_is_not_listed(world, child):
    nurse = clinic_nurse(world)
    clinic = record(child, nurse, role="Sexual health nurse")
    lead_professional_set(child=child, by=world.lena, involvement=clinic)
    involvement_cease(involvement=clinic, by=world.lena, ended_on=date(2026, 6, 1))

    text = _pdf_text(world, child)
    assert "Sexual health nurse" not in text and "Riverside" not in text
    assert tag_label(AuditTag.LeadProfessionalSet) not in text
    assert tag_label(AuditTag.InvolvementCeased) not in text
    assert "1 June 2026" not in text


def test_the_la_teams_work_on_a_service_that_is_not_sensitive_is_still_listed(world, child):
    """The rule withholds only what is about a withheld correction or service; the rest stays."""
    school = organisation(world, OrganisationKind.SCHOOL, "Quarry Hill Academy", "URN-9")
    teacher = make_user("tess", school)
    taught = record(child, teacher, role="Class teacher")
    lead_professional_set(child=child, by=world.lena, involvement=taught)
    correction = correction_raise(
        child=child, field=field_for("given_names"), value="Amelie", reason="Spelling", by=teacher
    )
    _decided_by_the_la_team(world, correction, accept=True)

    text = _pdf_text(world, child)
    for listed in (
        tag_label(AuditTag.LeadProfessionalSet),
        tag_label(AuditTag.CorrectionOpened),
        tag_label(AuditTag.CorrectionAccepted),
        tag_label(AuditTag.ChildUpdated),
        "Quarry Hill Academy",
    ):
        assert listed in text, listed
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    assert report.withheld_sensitive_accesses == 0 and report.withheld_covert == 0
