"""The disclosure copy of a subject access report as an accessible, tagged PDF (WeasyPrint, PDF/UA-1).

It prints `reports/subject_access_pdf.html`, whose body is the same partial as the LA team's page
(`reports/_subject_access_body.html`) filled from the same report object, so the copy handed to the
requester is what the LA team reviewed, minus the LA-team-only counts of withheld entries: it never
says that something was withheld under the covert-enquiry rule. It opens with a covering explanation
for the requester (what ContactPoint is, what the report holds, that the law lets some information be
left out of any such report, how to correct or complain), worded the same in every report so it tells
nothing about this one. Every page says "Page N of M" (CSS page counters); the document is tagged (a
structure tree a screen reader follows: headings, tables with header cells), and carries its title,
author and language (en-GB). It is built in memory: nothing is written to disk. The renderer may fetch
nothing (no file, network or data URL), so no value in a record can make it read a file or call out.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from django.template.loader import render_to_string

from reports.subject_access import SubjectAccessReport

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

TITLE = "ContactPoint subject access report"
LANGUAGE = "en-GB"
VARIANT = "pdf/ua-1"

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


# The print styles live beside this module, not in the template: templates hold no inline style
# (the content security policy test), and this one is never served to a browser anyway.
STYLESHEET = Path(__file__).with_name("subject_access_pdf.css")


def _fetch_nothing() -> "URLFetcher":
    """A fetcher that refuses every scheme: the template needs no external resource."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=(), fail_on_errors=True)


def subject_access_pdf(report: SubjectAccessReport) -> bytes:
    # Imported here, not at the top: WeasyPrint and Pango take ~1.5 s to load, and every process that
    # loads the URLconf (each test run, each worker) would pay it for a page that few requests use.
    from weasyprint import CSS, HTML

    page = render_to_string(
        "reports/subject_access_pdf.html",
        {"report": report, "covering": COVERING, "title": TITLE, "language": LANGUAGE},
    )
    document = HTML(string=page, url_fetcher=_fetch_nothing())
    style = CSS(string=STYLESHEET.read_text(), url_fetcher=_fetch_nothing())
    pdf: bytes = document.write_pdf(stylesheets=[style], pdf_variant=VARIANT)
    return pdf
