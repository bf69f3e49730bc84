"""The subject access report says at what age the record is archived, a consented archive age included.

A record holds an archive age above 18 when the young person (a care leaver, or one with special
educational needs) consented to it being kept to 25 at most (docs/domain.md: "archive age if above 18").
It is data the index holds about them, and it decides when their record leaves the index, but the report
("what ContactPoint holds about a child") did not say it: the requester could not learn that the record
would be kept past 18, nor check a consent they may have withdrawn.
"""

from io import BytesIO

from django.urls import reverse
from pypdf import PdfReader

from children.models import Child, RecordStatus
from lifecycle.services import archive_age_record
from reports.subject_access import subject_access_report
from tests.journeys import signed_in

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}


def _held(world, child: Child) -> dict[str, str]:
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    [section] = [s for s in report.held if s.heading == "The child"]
    return dict(section.rows)


def test_a_consented_archive_age_is_in_the_report_and_its_pdf(world, child):
    archive_age_record(child=child, age=21, by=world.lena)
    child = Child.objects.get(pk=child.pk)
    assert _held(world, child)["Archived at the age of"] == "21, with consent (usually 18)"
    response = signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Archived at the age of 21, with consent (usually 18)" in " ".join(text.split())


def test_a_record_archived_at_the_usual_age_says_18(world, child):
    assert _held(world, child)["Archived at the age of"] == "18"


def test_a_shielded_childs_report_says_it_too(world, shielded_child):
    archive_age_record(child=shielded_child, age=25, by=world.lena)
    shielded_child = Child.objects.get(pk=shielded_child.pk)
    assert _held(world, shielded_child)["Archived at the age of"] == "25, with consent (usually 18)"


def test_a_record_closed_for_a_new_identity_says_no_archive_age(world, child):
    """A closed record is never archived (it is purged six years after the close): no age is given."""
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    assert "Archived at the age of" not in _held(world, Child.objects.get(pk=child.pk))
