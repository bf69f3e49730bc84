"""The child's access report says on what lawful basis a disclosure export carried the child out.

A disclosure export is the one way a child's details leave the service (court order, crime, child
protection enquiry, safeguarding board), and each download is audited against each child named, with the
basis. The family's subject access report lists it as "Disclosure: <basis>", but the LA team's own access
report, where it reviews who took the child's details and why, showed the download with no purpose.
"""

from django.urls import reverse

from audit.services import event_record
from audit.tags import AuditTag
from children.index_number import formatted
from disclosure.models import LawfulBasis
from tests.journeys import signed_in
from tests.pages import rendered


def test_a_disclosure_download_is_reported_with_its_lawful_basis(world, child):
    event_record(
        tag=AuditTag.DisclosureExportDownloaded,
        actor=world.lena,
        child_id=child.pk,
        additional={"export_id": 1, "lawful_basis": LawfulBasis.CHILD_PROTECTION.value},
    )
    for reader in (world.lena, world.nadia):
        response = signed_in(reader).get(reverse("audit:child_access", args=[child.pk]))
        page = rendered(response, heading=f"Index number {formatted(child.index_number)}")
        assert "Disclosure: A statutory child protection enquiry" in page
