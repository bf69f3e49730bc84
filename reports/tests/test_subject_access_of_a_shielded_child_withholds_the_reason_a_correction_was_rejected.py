"""Subject access: a shielded child's disclosure copy withholds the LA team's reason for rejecting a correction.

A correction of a detail that does not locate the child (date of birth, gender) is listed for a shielded
child, with its decision. The reason for a rejection is typed freely by the LA team ("the birth register
at Leeds, where she now lives with her aunt at 8 Fernbank Way, says the 4th") and can say where the child
is; the requester may be the person the shield protects. The PDF reads "Withheld: shielded record" for it,
as for a complaint's summary; the LA team's page shows it, marked as not in the disclosure copy. A
correction accepted, with no reason, reads nothing in its place. Synthetic people.
"""

from io import BytesIO
from typing import cast

from django.http import HttpResponse
from django.urls import reverse
from pypdf import PdfReader

from corrections.fields import field_for
from corrections.services import correction_accept, correction_raise, correction_reject
from reports.subject_access import SCREEN_ONLY_NOT_IN_DISCLOSURE, WITHHELD_SHIELDED
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import World

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}
REASON = "Birth register at Leeds, where she now lives with her aunt at 8 Fernbank Way, says the 4th"


def _pdf(by, child) -> str:
    """The disclosure copy's text, as the requester's reader extracts it."""
    response = signed_in(by).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    return " ".join(text.split())


def _corrections_table(by, child) -> str:
    """The corrections table of the LA team's working copy."""
    response = signed_in(by).post(reverse("audit:subject_access", args=[child.pk]), REQUEST)
    page = rendered(cast(HttpResponse, response), heading="Subject access report")
    start = page.index('id="corrections"')
    return page[start : page.index("</table>", start)]


def _rejected(world: World, child) -> None:
    date_of_birth = field_for("date_of_birth")
    assert date_of_birth is not None
    asked = correction_raise(
        child=child, field=date_of_birth, value="2015-03-05", reason="Checked", by=world.alice
    )
    correction_reject(correction=asked, by=world.lena, reason=REASON)


def test_the_pdf_of_a_shielded_child_withholds_the_reason_a_correction_was_rejected(world, shielded_child):
    _rejected(world, shielded_child)
    text = _pdf(world.lena, shielded_child)
    assert "Fernbank" not in text, "the LA team's free-text reason, which locates the child, is in the PDF"
    # Still the correction, its proposed value and its decision, dated.
    assert "Date of birth" in text and "5 March 2015" in text
    assert f"Rejected, {_today()}. {WITHHELD_SHIELDED}" in text


def test_the_la_teams_page_shows_a_shielded_childs_rejection_reason_marked_as_not_in_the_disclosure_copy(
    world, shielded_child
):
    _rejected(world, shielded_child)
    table = _corrections_table(world.lena, shielded_child)
    assert REASON in table
    assert table.count(SCREEN_ONLY_NOT_IN_DISCLOSURE) == 1


def test_a_shielded_childs_accepted_correction_reads_no_withheld_reason(world, shielded_child):
    asked = correction_raise(
        child=shielded_child, field=field_for("gender"), value="male", reason="Checked", by=world.alice
    )
    correction_accept(correction=asked, by=world.lena)
    assert WITHHELD_SHIELDED not in _corrections_table(world.lena, shielded_child)
    assert SCREEN_ONLY_NOT_IN_DISCLOSURE not in _corrections_table(world.lena, shielded_child)


def test_the_pdf_of_a_child_not_shielded_gives_the_reason_a_correction_was_rejected(world, child):
    _rejected(world, child)
    assert REASON in _pdf(world.lena, child)
    assert SCREEN_ONLY_NOT_IN_DISCLOSURE not in _corrections_table(world.lena, child)


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().strftime("%-d %b %Y")
