"""The disclosure copy of a subject access report as PDF (reportlab, pure Python, built in memory).

It shows exactly the report object the LA team reviewed on the page, minus the LA-team-only counts
of withheld entries, so the copy handed to the requester never says that something was withheld
under the covert-enquiry rule. Nothing is written to disk.
"""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reports.subject_access import SubjectAccessReport

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
            f"Index number {report.index_number}. Request reference {report.reference}. Produced {produced}.",
            body,
        ),
        Spacer(1, 4 * mm),
    ]
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
        buffer, pagesize=A4, title="ContactPoint subject access report", author="ContactPoint", invariant=1
    )
    document.build(story)
    return buffer.getvalue()
