"""Audit reports say why a data manager opened an archived record, in words, with the statutory reason.

After its first year an archived record may be opened only for a statutory reason (a court order, the
prevention or detection of crime, a child protection enquiry, a safeguarding review), and the LA team and
the national auditor review those openings. The report rows read the purpose against the record page's
list only, so an archive opening read "data_quality" or "subject_access" (a code, not the words the data
manager chose from), and the statutory reason the opening was allowed on was not shown at all.
"""

from django.urls import reverse

from children.index_number import formatted
from children.models import Child, RecordStatus
from lifecycle.viewing import archived_record_open
from tests.journeys import signed_in
from tests.pages import rendered


def _archived(child: Child) -> Child:
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    return Child.objects.select_related("data_key").get(pk=child.pk)


def _report(world, child, reader):
    response = signed_in(reader).get(reverse("audit:child_access", args=[child.pk]))
    return rendered(response, heading=f"Index number {formatted(child.index_number)}")


def test_an_archive_opening_is_reported_with_its_purpose_in_words(world, child):
    archived = _archived(child)
    archived_record_open(child=archived, by=world.dara, purpose="data_quality")
    page = _report(world, archived, world.lena)
    assert "Resolving a data quality problem" in page
    assert "data_quality" not in page


def test_an_opening_on_a_statutory_reason_is_reported_with_the_reason(world, child):
    archived = _archived(child)
    archived_record_open(child=archived, by=world.dara, purpose="other", statutory_reason="crime")
    for reader in (world.lena, world.nadia):
        page = _report(world, archived, reader)
        assert "Statutory reason: The prevention or detection of crime" in page


def test_a_record_view_still_reads_the_record_pages_purposes(world, child):
    from reports.tests.reporting import viewed

    viewed(child, world.alice, purpose="checking_details")
    page = _report(world, child, world.lena)
    assert "Checking or updating details held" in page
    assert "Statutory reason" not in page
