"""Corrections and complaints about a child appear in its subject access report (the report object and
its HTML page), with a shielded child's location values withheld and a covert enquiry's kept back."""

from datetime import date

from django.urls import reverse

from corrections.fields import field_for
from corrections.services import complaint_record, correction_accept, correction_raise, correction_reject
from reports.subject_access import subject_access_report
from reports.tests.reporting import viewed
from tests.journeys import signed_in

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}
NEW_ADDRESS = {
    "status": "known",
    "lines": ["8 Fernbank Way", "Leeds"],
    "postcode": "LS2 9JT",
    "return_intention": None,
}


def _raise(child, by, field, value):
    return correction_raise(child=child, field=field_for(field), value=value, reason="Checked", by=by)


def test_corrections_and_complaints_are_in_the_report_and_on_its_page(world, child):
    accepted = _raise(child, world.alice, "family_name", "Thorneton")
    correction_accept(correction=accepted, by=world.lena)
    rejected = _raise(child, world.alice, "date_of_birth", "2015-03-05")
    correction_reject(correction=rejected, by=world.lena, reason="Birth register says the 4th")
    complaint_record(
        child=child,
        by=world.lena,
        complainant="parent_carer",
        about="use",
        received_on=date(2026, 11, 2),
        summary="Asks who looked at the record",
    )
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    assert [(c.detail, c.proposed, c.decision) for c in report.corrections] == [
        ("Family name", "Thorneton", "Accepted: the record was corrected"),
        ("Date of birth", "5 March 2015", "Rejected"),
    ]
    assert report.corrections[0].asked_by == "Northshire Children's Services"
    assert report.corrections[1].why_rejected == "Birth register says the 4th"
    [complaint] = report.complaints
    assert (complaint.complainant, complaint.summary, complaint.status) == (
        "A parent or carer",
        "Asks who looked at the record",
        "Received",
    )
    page = (
        signed_in(world.lena).post(reverse("audit:subject_access", args=[child.pk]), REQUEST).content.decode()
    )
    assert 'id="corrections"' in page and "Thorneton" in page and "Birth register says the 4th" in page
    assert 'id="complaints"' in page and "Asks who looked at the record" in page


def test_a_report_without_any_says_so(world, child):
    page = (
        signed_in(world.lena).post(reverse("audit:subject_access", args=[child.pk]), REQUEST).content.decode()
    )
    assert "No corrections have been asked for." in page and "No complaints are recorded." in page


def test_a_shielded_childs_location_corrections_are_withheld(world, shielded_child):
    _raise(shielded_child, world.lena, "address", NEW_ADDRESS)
    _raise(shielded_child, world.alice, "given_names", "Jasmin")
    report = subject_access_report(child=shielded_child, produced_by=world.lena, reference="SAR-1")
    # Left out whole (since session 34): a dated "Address" or "Given names" row, its value withheld, still
    # told of a move or a new name, and when; counted for the LA team.
    assert report.corrections == []
    assert report.withheld_shielded_corrections == 2
    assert "Fernbank" not in str(report.accesses) and "Jasmin" not in str(report.accesses)


def test_a_correction_by_an_officer_whose_enquiry_is_withheld_is_withheld_too(world, child):
    viewed(child, world.olivia, purpose="safeguarding")
    _raise(child, world.olivia, "family_name", "Thorneton")
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    assert report.corrections == []
    assert report.withheld_covert >= 2  # the view and the correction
    shown = subject_access_report(
        child=child, produced_by=world.lena, reference="SAR-1", withhold_covert=False
    )
    assert [c.detail for c in shown.corrections] == ["Family name"]
