"""The LA team's read of a break-glass reason names whose emergency access it read (`raised_by_ids`). One
about the emergency access of a sensitive service's staff tells of that service as the access's own entry
does, so the subject access report withholds it with that entry, as it withholds one about a covert
enquiry (`test_subject_access_alert_queue_reads`).

Review, session 32 (helper 10): the read was withheld for a covert officer only; one about a sexual
health nurse's emergency access was listed though the access itself was withheld as a sensitive service's."""

from accounts.models import OrganisationKind
from audit.services import event_record
from audit.tags import AuditTag, tag_label
from reports.subject_access import subject_access_report
from tests.personas import _org, make_user

QUEUE_READ = tag_label(AuditTag.AlertsViewed)
OVERRIDE = tag_label(AuditTag.ShieldOverridden)


def _queue_read_of_an_override_by(world, child, raiser) -> None:
    event_record(tag=AuditTag.ShieldOverridden, actor=raiser, child_id=child.pk, additional={})
    event_record(
        tag=AuditTag.AlertsViewed,
        actor=world.lena,
        child_id=child.pk,
        additional={"alert_ids": [1], "raised_by_ids": [raiser.pk]},
    )


def _listed(report) -> list[str]:
    return [access.description for access in report.accesses]


def test_a_queue_read_about_a_sensitive_services_emergency_access_is_withheld_with_it(world, child):
    clinic = _org(OrganisationKind.SENSITIVE, "Synthetic Sexual Health Clinic", "SXH-S", world.north)
    nurse = make_user("nina", clinic)
    _queue_read_of_an_override_by(world, child, nurse)
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    assert OVERRIDE not in _listed(report)
    assert QUEUE_READ not in _listed(report)
    assert report.withheld_sensitive_accesses == 2  # the emergency access and its read


def test_a_queue_read_about_an_ordinary_practitioners_emergency_access_is_still_listed(world, child):
    _queue_read_of_an_override_by(world, child, world.bob)
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    assert OVERRIDE in _listed(report)
    assert QUEUE_READ in _listed(report)
    assert report.withheld_sensitive_accesses == 0
