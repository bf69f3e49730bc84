"""The subject access page hands its template only what the LA team's page shows, not the disclosure copy.

Review (helper 12): the page handed its template the whole report, whose `rows` (the copy that goes
into the PDF) hold the child's source identifiers, among them one issued by another body, while the
page reads "In the disclosure copy (PDF) only" in its place. The LA team may download that PDF by
design, but on screen an identifier's value is for the issuing body only (the record page's rule), and
what kept it off the page was the template alone: one `{{ section.rows }}` in a later edit would have
shown it. As on the record page, the filtering is the view's: its context holds the on-screen copy only.
The PDF download is unchanged and still gives the requester their own identifiers.
"""

from io import BytesIO

from django.http import HttpResponse
from django.urls import reverse
from pypdf import PdfReader

from tests.journeys import signed_in
from tests.pages import handed_to_template, rendered

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}
# The child persona's NHS number, issued by its GP practice (tests/personas.py), not by the LA team.
NHS_NUMBER = "943 476 5919"


def _pdf_text(response: HttpResponse) -> str:
    """The words of the PDF as a reader sees them (pypdf), whitespace collapsed."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    return " ".join(text.split())


def test_another_bodys_source_identifier_is_not_handed_to_the_page_template(world, child):
    response = signed_in(world.lena).post(reverse("audit:subject_access", args=[child.pk]), REQUEST)
    page = rendered(response, heading="Subject access report")
    assert "NHS number" in page and "In the disclosure copy (PDF) only" in page
    assert NHS_NUMBER not in page
    handed = handed_to_template(response)
    assert NHS_NUMBER not in handed and NHS_NUMBER.replace(" ", "") not in handed


def test_the_disclosure_copy_still_gives_the_requester_that_identifier(world, child):
    response = signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    assert f"NHS number {NHS_NUMBER}" in _pdf_text(response)
