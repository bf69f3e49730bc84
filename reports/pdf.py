"""The disclosure copy of a subject access report as PDF (reportlab, pure Python, built in memory).

It shows exactly the report object the LA team reviewed on the page, minus the LA-team-only counts
of withheld entries, so the copy handed to the requester never says that something was withheld
under the covert-enquiry rule. It opens with a covering explanation for the requester (what
ContactPoint is, what the report holds, that the law lets some information be left out of any such
report, how to correct or complain), worded the same in every report so it tells nothing about this
one. Every page says "Page N of M"; the document carries its title, author and language (en-GB).
It is not a tagged PDF: the open-source reportlab cannot write the structure tree. Nothing is written
to disk.
"""

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from children.index_number import formatted
from reports.subject_access import SubjectAccessReport

TITLE = "ContactPoint subject access report"
LANGUAGE = "en-GB"

# For the requester, at the start of every report. The same words every time, so they never hint that
# anything was left out of this particular report (docs/AUDIT.md: the covert-enquiry rule).
COVERING = (
    (
        "What ContactPoint is",
        "ContactPoint is the national index of children in England. It holds basic details about each "
        "child so that people who work with children, such as teachers, health visitors and social "
        "workers, can find out who else is working with the same child. It does not hold case notes, "
        "assessments, medical records or exam results.",
    ),
    (
        "What this report contains",
        "The information ContactPoint holds about the child: name, date of birth, gender, address, "
        "parents and carers, school or nursery, GP practice and the services working with the child. "
        "It then lists every time the record was found, looked at or changed, with the date, the "
        "organisation, the role of the person and the reason they gave. Individual staff are not named.",
    ),
    (
        "Information the law lets us leave out",
        "The law allows some information to be left out of any report like this one: for example where "
        "it would identify another person, could cause serious harm to the child or someone else, or "
        "could get in the way of preventing or detecting crime. Details of sexual health, mental health "
        "and substance misuse services are shared only with the consent the law requires. This paragraph "
        "is part of every ContactPoint report: it does not mean that anything was left out of this one.",
    ),
    (
        "If something is wrong, or you want to complain",
        "Contact the ContactPoint team at the local authority that sent you this report and quote the "
        "request reference above. They will correct anything that is wrong or out of date, and tell you "
        "what they have done. If you are not happy with their answer, you can complain to the "
        "Information Commissioner's Office: ico.org.uk or 0303 123 1113.",
    ),
)


class _NumberedCanvas(Canvas):
    """Holds each page until the last, so every page can say "Page N of M"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont("Helvetica", 8)
            self.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {number} of {total}")
            super().showPage()
        super().save()


_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
    ]
)


def subject_access_pdf(report: SubjectAccessReport) -> bytes:
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)

    def cell(text: str, style: object = small) -> Paragraph:
        return Paragraph(escape(text), style)

    produced = timezone.localtime(report.produced_at).strftime("%-d %B %Y %H:%M")
    story: list[object] = [
        Paragraph("ContactPoint: information held about a child", styles["Title"]),
        cell(
            f"Index number {formatted(report.index_number)}. Request reference {report.reference}. "
            f"Produced {produced}.",
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph("About this report", styles["Heading2"]),
    ]
    for heading, text in COVERING:
        story += [Paragraph(escape(heading), styles["Heading3"]), cell(text, body)]
    story.append(Spacer(1, 4 * mm))
    for section in report.held:
        story.append(Paragraph(escape(section.heading), styles["Heading2"]))
        rows = [[cell(label), cell(value)] for label, value in section.rows]
        story.append(
            Table(
                rows,
                colWidths=[55 * mm, 115 * mm],
                style=TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]),
            )
        )
    story.append(Paragraph("Who has accessed this record", styles["Heading2"]))
    story.append(
        cell(
            "Every access is listed with its date, the organisation and role of the person, and the "
            "purpose they gave. Individual staff are not named.",
            body,
        )
    )
    if report.accesses:
        rows = [[cell(h) for h in ("Date", "What happened", "Organisation", "Role", "Purpose")]]
        rows += [
            [
                cell(timezone.localtime(a.occurred_at).strftime("%-d %b %Y %H:%M")),
                cell(a.description),
                cell(a.organisation),
                cell(a.role),
                cell(a.purpose),
            ]
            for a in report.accesses
        ]
        widths = [28 * mm, 40 * mm, 40 * mm, 30 * mm, 32 * mm]
        story.append(Table(rows, colWidths=widths, repeatRows=1, style=_GRID))
    else:
        story.append(cell("No accesses are recorded.", body))

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=TITLE,
        author="ContactPoint",
        subject="Information held about a child",
        creator="ContactPoint",
        lang=LANGUAGE,
        invariant=1,
        bottomMargin=20 * mm,
    )
    document.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
