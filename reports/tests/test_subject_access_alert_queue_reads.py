"""The LA team's read of a break-glass reason in its alert queue is on the child's subject access report
only where the emergency access it is about is: one by an officer whose enquiry the covert rule withholds
tells of that enquiry, so it is withheld with it (and counted as disclosed when the rule is switched off)."""

from audit.services import event_record
from audit.tags import AuditTag, tag_label
from reports.subject_access import subject_access_report
from reports.tests.reporting import searched, viewed

QUEUE_READ = tag_label(AuditTag.AlertsViewed)


def _queue_read_of_an_override_by(world, child, officer) -> None:
    event_record(tag=AuditTag.ShieldOverridden, actor=officer, child_id=child.pk, additional={})
    event_record(
        tag=AuditTag.AlertsViewed,
        actor=world.lena,
        child_id=child.pk,
        additional={"alert_ids": [1], "raised_by_ids": [officer.pk]},
    )


def _listed(report) -> list[str]:
    return [access.description for access in report.accesses]


def test_a_queue_read_about_a_covert_officers_emergency_access_is_withheld_with_it(world, child):
    searched(world.olivia)
    viewed(child, world.olivia, purpose="safeguarding")
    _queue_read_of_an_override_by(world, child, world.olivia)
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    assert QUEUE_READ not in _listed(report)
    assert report.withheld_covert == 4  # the search, the view, the emergency access and its read


def test_with_the_covert_rule_off_the_read_is_listed_and_counted_as_disclosed(world, child):
    searched(world.olivia)
    viewed(child, world.olivia, purpose="safeguarding")
    _queue_read_of_an_override_by(world, child, world.olivia)
    report = subject_access_report(
        child=child, produced_by=world.lena, reference="SAR-1", withhold_covert=False
    )
    assert QUEUE_READ in _listed(report)
    assert report.covert_disclosed == 4


def test_a_queue_read_about_anyone_elses_emergency_access_is_listed(world, child):
    _queue_read_of_an_override_by(world, child, world.bob)
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    assert QUEUE_READ in _listed(report)
