"""Subject access: a shielded child's complaints are listed without their text in the disclosure copy.

A complaint's summary and what was decided are typed freely by the LA team and can say where the child
is ("she now attends Fernbank Primary"); the requester may be the person the shield protects. The PDF
reads "Withheld: shielded record" for both, as for the child's names, and keeps the dates, who
complained (a category), what it is about and the progress. The LA team's page (its working copy) shows
the text, marked as not in the disclosure copy, to match the request to the complaint. Synthetic people.
"""

from datetime import date
from io import BytesIO

from django.urls import reverse
from pypdf import PdfReader

from corrections.models import Complaint, ComplaintOutcome, ComplaintStatus
from corrections.services import ComplaintProgress, complaint_progress, complaint_record
from reports.subject_access import SCREEN_ONLY_NOT_IN_DISCLOSURE, WITHHELD_SHIELDED
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import World

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}

SUMMARY = "Says the school on the record is wrong: she now attends Fernbank Primary"
DECIDED = "Record corrected to Fernbank Primary, Leeds"


def _pdf(by, child) -> str:
    """The disclosure copy's text, as the requester's reader extracts it."""
    response = signed_in(by).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    return " ".join(text.split())


def _page(by, child):
    """The LA team's working copy."""
    response = signed_in(by).post(reverse("audit:subject_access", args=[child.pk]), REQUEST)
    return rendered(response, heading="Subject access report")


def _closed_complaint(world: World, child) -> Complaint:
    complaint = complaint_record(
        child=child,
        by=world.lena,
        complainant="parent_carer",
        about="record",
        received_on=date(2026, 11, 2),
        summary=SUMMARY,
    )
    complaint_progress(
        complaint=complaint,
        by=world.lena,
        progress=ComplaintProgress(
            status=ComplaintStatus.CLOSED,
            acknowledged_on=date(2026, 11, 3),
            outcome=ComplaintOutcome.UPHELD,
            outcome_on=date(2026, 11, 20),
            outcome_detail=DECIDED,
        ),
    )
    return complaint


def _complaints_table(page: str) -> str:
    start = page.index('id="complaints"')
    return page[start : page.index("</table>", start)]


def test_the_pdf_of_a_shielded_child_withholds_its_complaints_summary_and_what_was_decided(
    world, shielded_child
):
    _closed_complaint(world, shielded_child)
    text = _pdf(world.lena, shielded_child)
    assert "Fernbank" not in text, "a complaint's free text that locates the child is in the requester's copy"
    assert f"What the record holds {WITHHELD_SHIELDED}" in text  # what it is about, then the summary
    assert f"Upheld, 20 Nov 2026: {WITHHELD_SHIELDED}" in text  # what was decided
    # Still the complaint, with its dates, category and progress.
    assert "2 Nov 2026" in text and "A parent or carer" in text
    assert "Closed with an outcome" in text and "Acknowledged 3 Nov 2026" in text


def test_the_la_teams_page_shows_a_shielded_childs_complaint_text_marked_as_not_in_the_disclosure_copy(
    world, shielded_child
):
    _closed_complaint(world, shielded_child)
    table = _complaints_table(_page(world.lena, shielded_child))
    assert SUMMARY in table and DECIDED in table
    assert table.count(SCREEN_ONLY_NOT_IN_DISCLOSURE) == 2


def test_the_pdf_of_a_child_not_shielded_gives_its_complaint_text(world, child):
    _closed_complaint(world, child)
    text = _pdf(world.lena, child)
    assert SUMMARY in text
    assert f"Upheld, 20 Nov 2026: {DECIDED}" in text
    assert WITHHELD_SHIELDED not in text
    assert SCREEN_ONLY_NOT_IN_DISCLOSURE not in _complaints_table(_page(world.lena, child))
