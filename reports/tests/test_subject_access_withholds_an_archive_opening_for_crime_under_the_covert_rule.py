"""Subject access: an archive opening for the prevention or detection of crime is part of a covert enquiry.

A data manager opens a record archived over a year ago only on a statutory reason; one of them is "the
prevention or detection of crime" (a police request). The covert-enquiry rule (on by default) withholds
a disclosure on that basis, because listed it tips off the family, who may be the suspects; the archive
opening on the same basis was still listed, dated, by the LA, "Data manager", telling them the same
thing, and so was the same data manager's look-up of the index number just before it. Now both are
withheld under the rule and counted for the LA team; with the rule switched off they are listed and
counted as disclosed. An opening on another statutory reason, and its look-up, are listed as before.
Synthetic people.
"""

from datetime import timedelta
from io import BytesIO

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.tags import AuditTag, tag_label
from children.models import Child
from lifecycle.finding import archive_lookup_record
from lifecycle.models import Archive
from lifecycle.rules import ArchiveRule
from lifecycle.services import child_archive
from lifecycle.viewing import STATUTORY_REASON_LABELS, archived_record_open
from reports.subject_access import CRIME_STATUTORY_REASON, subject_access_report
from tests.journeys import signed_in
from tests.pages import rendered

OPENED = tag_label(AuditTag.ArchivedRecordViewed)
LOOKED_UP = tag_label(AuditTag.ArchiveLookup)


def _archived_over_a_year_ago(child: Child) -> Child:
    long_ago = timezone.localdate() - timedelta(days=800)
    assert child_archive(child_id=child.pk, rule=ArchiveRule.AGE, today=long_ago)
    Archive.objects.filter(child=child).update(archived_on=long_ago)
    return Child.objects.select_related("data_key").get(pk=child.pk)


def _opened(world, child: Child, reason: str) -> None:
    """The data manager's journey: the index number looked up, then the record opened on `reason`."""
    archive_lookup_record(by=world.dara, found=child)
    archived_record_open(
        child=child, by=world.dara, purpose="other", detail="Request ref 77", statutory_reason=reason
    )


def _listed(report) -> list[str]:
    return [a.description for a in report.accesses if a.description in (OPENED, LOOKED_UP)]


def test_an_archive_opening_for_crime_and_its_look_up_are_withheld_under_the_covert_rule(world, child):
    archived = _archived_over_a_year_ago(child)
    _opened(world, archived, "crime")
    report = subject_access_report(child=archived, produced_by=world.lena, reference="SAR-1")
    assert _listed(report) == []
    assert report.withheld_covert == 2
    assert report.covert_disclosed == 0


def test_the_pdf_leaves_out_the_opening_and_the_la_teams_page_counts_it(world, child):
    archived = _archived_over_a_year_ago(child)
    _opened(world, archived, "crime")
    request = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}
    pdf = signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[archived.pk]), request)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages).split())
    assert OPENED not in text and LOOKED_UP not in text and "Data manager" not in text
    page = rendered(
        signed_in(world.lena).post(reverse("audit:subject_access", args=[archived.pk]), request),
        heading="Subject access report",
    )
    assert "2 entries withheld under the covert-enquiry rule." in page


def test_with_the_rule_switched_off_they_are_listed_and_counted_as_disclosed(world, child):
    archived = _archived_over_a_year_ago(child)
    _opened(world, archived, "crime")
    report = subject_access_report(
        child=archived, produced_by=world.lena, reference="SAR-1", withhold_covert=False
    )
    assert _listed(report) == [LOOKED_UP, OPENED]
    assert report.covert_disclosed == 2
    assert report.withheld_covert == 0


def test_an_opening_on_another_statutory_reason_and_its_look_up_are_listed(world, child):
    archived = _archived_over_a_year_ago(child)
    _opened(world, archived, "court_order")
    report = subject_access_report(child=archived, produced_by=world.lena, reference="SAR-1")
    assert _listed(report) == [LOOKED_UP, OPENED]
    assert report.withheld_covert == 0


def test_only_the_look_ups_leading_to_the_crime_opening_go_with_it(world, child):
    """An earlier opening on another reason, and its look-up, are the data manager's other business."""
    archived = _archived_over_a_year_ago(child)
    _opened(world, archived, "court_order")
    _opened(world, archived, "crime")
    archive_lookup_record(by=world.dara, found=archived)  # looked up again, not opened (yet)
    report = subject_access_report(child=archived, produced_by=world.lena, reference="SAR-1")
    assert _listed(report) == [LOOKED_UP, OPENED, LOOKED_UP]
    assert report.withheld_covert == 2


def test_the_reason_the_rule_reads_is_the_archive_pages_crime_reason():
    assert STATUTORY_REASON_LABELS[CRIME_STATUTORY_REASON] == "The prevention or detection of crime"
