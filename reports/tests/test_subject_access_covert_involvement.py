"""Subject access: the covert-enquiry rule must not be undone by the officer's own involvement.

The rule withholds a police safeguarding enquiry and every entry by the same officer for the child,
because any of them would tell the requester of the enquiry. An officer who also recorded an involvement
with the child had that entry ("Recorded an involvement") withheld, while the services section of the
same report listed the involvement ("Police officer, Southborough Police, from ...") and the automatic
match entries it caused stayed in the access list: the enquiry was in the requester's copy after all.
"""

from datetime import date
from io import BytesIO

from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Role
from children.records import InvolvementDetails
from children.services import involvement_record
from reports.subject_access import subject_access_report
from tests.journeys import signed_in
from tests.personas import make_user

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    return " ".join(text.split())


def _record(child, by, role: str) -> None:
    involvement_record(
        child=child,
        by=by,
        details=InvolvementDetails(
            "Synthetic Officer", role, by.organisation_id, started_on=date(2026, 1, 5)
        ),
    )


def _covert_enquiry_with_an_involvement(world, child) -> None:
    """Olivia (police) opens the record for safeguarding and records her involvement; Alice (social
    worker) works with the child too, so the two are told about each other (a match)."""
    from reports.tests.reporting import viewed

    _record(child, world.alice, "Allocated social worker")
    viewed(child, world.olivia, purpose="safeguarding")
    _record(child, world.olivia, "Child abuse investigation officer")


def test_the_officers_involvement_is_not_listed_while_the_enquiry_is_withheld(world, child):
    _covert_enquiry_with_an_involvement(world, child)
    lena = signed_in(world.lena)
    text = _pdf_text(lena.post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST))
    assert "Amelia Thornton" in text and "Northshire Children's Services" in text  # the page expected
    assert "Allocated social worker" in text  # the other service is listed
    assert "Southborough" not in text  # neither the force...
    assert "Child abuse investigation officer" not in text  # ...nor the officer's role
    assert "Police" not in text
    # Nor that a practitioner was told about another one: Alice is the only service listed.
    assert "Told a practitioner" not in text

    page = lena.post(reverse("audit:subject_access", args=[child.pk]), REQUEST).content.decode()
    assert "Subject access report" in page
    assert "Child abuse investigation officer" not in page
    assert 'id="withheld-covert"' in page  # counted for the LA team's review


def test_the_involvement_is_withheld_by_the_count_and_listed_once_the_rule_is_switched_off(world, child):
    _covert_enquiry_with_an_involvement(world, child)
    kept = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    services = dict(kept.held[3].rows)
    assert "Child abuse investigation officer" not in services
    assert "Allocated social worker" in services
    assert kept.withheld_covert >= 3  # the view, the involvement's entry and the involvement itself

    shown = subject_access_report(
        child=child, produced_by=world.lena, reference="SAR-1", withhold_covert=False
    )
    assert "Child abuse investigation officer" in dict(shown.held[3].rows)
    assert shown.covert_disclosed >= 3  # recorded as disclosed with the rule off


def test_a_police_officers_involvement_without_a_safeguarding_view_is_listed(world, child):
    officer = make_user("priya", world.south_police, Role.PRACTITIONER)
    _record(child, officer, "Police community support officer")
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    assert "Police community support officer" in dict(report.held[3].rows)
    assert report.withheld_covert == 0


def test_the_match_entries_the_officers_involvement_caused_are_withheld_with_it(world, child):
    from audit.models import AuditEvent
    from audit.tags import AuditTag, tag_label

    _covert_enquiry_with_an_involvement(world, child)
    assert AuditEvent.objects.filter(tag=AuditTag.MatchNotified, child_id=child.pk).exists()
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    listed = {entry.description for entry in report.accesses}
    assert tag_label(AuditTag.InvolvementRecorded) in listed  # Alice's, the page expected
    assert tag_label(AuditTag.MatchNotified) not in listed
