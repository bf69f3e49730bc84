"""Subject access: the record update a withheld correction's acceptance wrote stays withheld when
another entry by the same person falls between the update and the acceptance.

`_acceptance_updates` took the update to be the accepting person's entry on the record just before the
acceptance. On PostgreSQL an entry the same person writes from another tab at that moment (opening the
record: no row lock) can take an id between the two, as ids are given when each row is written: the
update was then not recognised and "Record updated" by the LA team was listed, telling the requester
of a correction the report withholds, and when it was applied. What holds is narrower and firm: no
other update of the record can fall between (an update takes the child's row lock, held by the
acceptance from its own update to its commit), so the update is the record's last update before it.
"""

from unittest import mock

from audit.tags import AuditTag, tag_label
from children.selectors import child_details
from children.services import child_details_update
from coordination.tests.support import clinic_nurse, record
from corrections import services as correction_services
from corrections.fields import field_for
from corrections.services import correction_accept, correction_raise
from reports.subject_access import subject_access_report
from reports.tests.reporting import viewed


def test_a_withheld_corrections_update_stays_withheld_with_an_entry_of_another_tab_between(world, child):
    nurse = clinic_nurse(world)
    record(child, nurse, role="Sexual health nurse")
    correction = correction_raise(
        child=child, field=field_for("given_names"), value="Amelie", reason="Told by the child", by=nurse
    )
    applied = correction_services.field_apply

    def applied_with_another_tab(**kwargs):
        result = applied(**kwargs)
        viewed(child, world.lena)  # the same person opens the record in another tab at this moment
        return result

    with mock.patch.object(correction_services, "field_apply", applied_with_another_tab):
        correction_accept(correction=correction, by=world.lena)

    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    listed = [entry.description for entry in report.accesses]
    assert tag_label(AuditTag.ChildUpdated) not in listed
    assert tag_label(AuditTag.CorrectionAccepted) not in listed
    assert report.withheld_sensitive_corrections == 1


def test_an_update_not_followed_by_an_acceptance_is_still_listed(world, child):
    """An ordinary update between two corrections' work is the record's own: listed."""
    nurse = clinic_nurse(world)
    record(child, nurse, role="Sexual health nurse")
    correction = correction_raise(
        child=child, field=field_for("given_names"), value="Amelie", reason="Told by the child", by=nurse
    )
    correction_accept(correction=correction, by=world.lena)
    child_details_update(child=child, details=child_details(child), columns=["family_name"], by=world.lena)

    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    listed = [entry.description for entry in report.accesses]
    assert listed.count(tag_label(AuditTag.ChildUpdated)) == 1
