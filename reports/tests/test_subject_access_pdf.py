"""The disclosure copy is an accessible tagged PDF (PDF/UA-1) printed from the page's own partial (issue 13, item 11)."""

import html
import re
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from reports.pdf import COVERING, TITLE, subject_access_pdf
from reports.subject_access import subject_access_report
from reports.tests.reporting import viewed
from tests.journeys import signed_in

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}
_H2 = re.compile(r"<h2[^>]*>(.*?)</h2>", re.S)


def _post_pdf(world, child) -> bytes:
    response = signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def _text(pdf: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).split())


def _structure_types(node: object, found: list[str]) -> list[str]:
    """Every structure element type (/S) under a node of the structure tree, depth first."""
    if isinstance(node, IndirectObject):
        node = node.get_object()
    if isinstance(node, ArrayObject):
        for item in node:
            _structure_types(item, found)
    elif isinstance(node, DictionaryObject):
        if "/S" in node:
            found.append(str(node["/S"]))
        if "/K" in node:
            _structure_types(node["/K"], found)
    return found


def test_the_pdf_is_tagged_with_a_structure_tree_language_and_title(world, child):
    reader = PdfReader(BytesIO(_post_pdf(world, child)))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == TITLE
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]  # a reader shows the title, not the file name
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()  # claims PDF/UA-1 in its XMP


def test_the_structure_tree_has_headings_and_tables_with_header_cells(world, child):
    viewed(child, world.bob)
    reader = PdfReader(BytesIO(_post_pdf(world, child)))
    types = _structure_types(reader.trailer["/Root"]["/StructTreeRoot"], [])
    assert types.count("/H1") == 1
    assert {"/H2", "/H3", "/P", "/Table", "/TR", "/TH", "/TD"} <= set(types)


def test_page_one_says_page_1_of_n_with_the_formatted_index_number_and_the_covering_explanation(world, child):
    from children.index_number import formatted

    reader = PdfReader(BytesIO(_post_pdf(world, child)))
    total = len(reader.pages)
    first = " ".join(reader.pages[0].extract_text().split())
    assert f"Page 1 of {total}" in first
    assert f"Index number {formatted(child.index_number)}." in first
    for heading, words in COVERING:
        assert heading in first
        assert " ".join(words.split()[:8]) in first


def test_the_pdf_never_says_how_many_entries_were_withheld(world, child):
    viewed(child, world.olivia, purpose="safeguarding")
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    assert report.withheld_covert == 1
    text = _text(subject_access_pdf(report))
    assert "withheld" not in text.lower()
    assert "covert" not in text.lower()
    assert "For your review only" not in text


def test_every_section_the_page_shows_is_in_the_pdf(world, child):
    """The page and the PDF share one partial: a section added to the page appears in the disclosure copy."""
    page = signed_in(world.lena).post(reverse("audit:subject_access", args=[child.pk]), REQUEST)
    sections = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", h)).split()) for h in _H2.findall(page.content.decode())
    ]
    assert "Who has accessed this record" in sections
    text = _text(_post_pdf(world, child))
    for heading in sections:
        assert heading in text


def test_the_renderer_fetches_nothing():
    """No file, network or data URL: a value in a record can never make the PDF read a file or call out."""
    from reports.pdf import _fetch_nothing

    for url in ("file:///etc/hostname", "http://127.0.0.1/", "data:text/plain,x"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            _fetch_nothing().fetch(url)


def test_printing_writes_no_progress_lines_to_the_log(world, child, caplog):
    """WeasyPrint logs every rendering step at INFO; the service log keeps its warnings only."""
    import logging

    caplog.set_level(logging.INFO)
    _post_pdf(world, child)
    assert [r for r in caplog.records if r.name.startswith("weasyprint")] == []
