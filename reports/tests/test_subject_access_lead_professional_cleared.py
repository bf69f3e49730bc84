"""Subject access: the LA team clearing a withheld service's lead professional naming is withheld too.

Naming a sensitive service lead professional is withheld (its `involvement_id` is a withheld service's).
Clearing the naming writes the same entry with no involvement: listed, the requester read "Lead
professional set" by the LA team with no naming before it and no lead professional on the record, so a
lead professional the report does not show had existed, and until when.
"""

from accounts.models import OrganisationKind
from audit.tags import AuditTag, tag_label
from children.services import lead_professional_set
from coordination.tests.support import clinic_nurse, organisation, record
from reports.subject_access import subject_access_report
from reports.tests.test_subject_access_withheld_leaves_no_trace import REQUEST, _pdf_text
from tests.personas import make_user


def _listed(world, child) -> list[str]:
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    return [entry.description for entry in report.accesses]


def test_clearing_a_sensitive_services_lead_professional_naming_is_not_listed(world, child):
    nurse = clinic_nurse(world)
    clinic = record(child, nurse, role="Sexual health nurse")
    lead_professional_set(child=child, by=world.lena, involvement=clinic)
    lead_professional_set(child=child, by=world.lena, involvement=None)

    assert tag_label(AuditTag.LeadProfessionalSet) not in _listed(world, child)
    assert tag_label(AuditTag.LeadProfessionalSet) not in _pdf_text(world, child, REQUEST)
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    # The service's own entries, its naming and the clearing: all counted for the LA team.
    named_and_cleared = 2
    assert report.withheld_sensitive_accesses >= 1 + named_and_cleared


def test_a_lead_professional_named_after_a_sensitive_one_is_listed(world, child):
    """Naming another service after the sensitive one says nothing of it: listed."""
    nurse = clinic_nurse(world)
    clinic = record(child, nurse, role="Sexual health nurse")
    school = organisation(world, OrganisationKind.SCHOOL, "Quarry Hill Academy", "URN-9")
    taught = record(child, make_user("tess", school), role="Class teacher")
    lead_professional_set(child=child, by=world.lena, involvement=clinic)
    lead_professional_set(child=child, by=world.lena, involvement=taught)
    lead_professional_set(child=child, by=world.lena, involvement=None)

    assert _listed(world, child).count(tag_label(AuditTag.LeadProfessionalSet)) == 2


def test_clearing_an_ordinary_lead_professional_naming_is_still_listed(world, child):
    school = organisation(world, OrganisationKind.SCHOOL, "Quarry Hill Academy", "URN-9")
    taught = record(child, make_user("tess", school), role="Class teacher")
    lead_professional_set(child=child, by=world.lena, involvement=taught)
    lead_professional_set(child=child, by=world.lena, involvement=None)

    assert _listed(world, child).count(tag_label(AuditTag.LeadProfessionalSet)) == 2
