"""Subject access: what is held and every access, without staff names; covert and shielding rules."""

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.override import shield_override
from reports.subject_access import APPEARED_IN_SEARCH, WITHHELD_SHIELDED, subject_access_report
from reports.tests.reporting import involved, searched, viewed
from tests.journeys import signed_in
from tests.pages import rendered
from vault.sealing import note_unseal

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}


def _report(world, child, **kwargs):
    return subject_access_report(child=child, produced_by=world.lena, reference="SAR-1", **kwargs)


def _produce(world, child, data=None):
    return signed_in(world.lena).post(reverse("audit:subject_access", args=[child.pk]), data or REQUEST)


def test_the_request_form_needs_the_identity_check_and_a_reference(world, child):
    response = _produce(world, child, {"reference": ""})
    body = response.content.decode()
    assert "Confirm that you have checked the requester&#x27;s identity" in body
    assert "Enter the request reference" in body
    assert not AuditEvent.objects.filter(tag=AuditTag.SubjectAccessProduced).exists()


def test_the_request_form_is_shown_to_the_owning_la_team(world, child):
    response = signed_in(world.lena).get(reverse("audit:subject_access", args=[child.pk]))
    assert response.status_code == 200
    assert "identity_checked" in response.content.decode()


def test_the_report_shows_what_is_held(world, child):
    body = _produce(world, child).content.decode()
    for held in (
        "Amelia Thornton",
        "12 Quarry Lane",
        "Grace Thornton",
        "Northshire Primary School",
        "North Road Surgery",
    ):
        assert held in body


def test_the_la_team_sees_no_source_identifier_it_did_not_issue_on_the_report_page(world, child):
    """The record page hides the NHS number from the LA team; preparing a report must not reveal it."""
    body = _produce(world, child).content.decode()
    assert "943 476 5919" not in body
    assert "NHS number" in body
    assert "In the disclosure copy (PDF) only" in body


def test_the_disclosure_copy_gives_the_requester_their_own_source_identifiers(world, child):
    response = signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    text = _pdf_text(response)
    assert "NHS number 943 476 5919" in text
    assert "disclosure copy" not in text


def test_staff_of_the_issuing_body_see_the_identifier_on_the_page_too(world, child):
    from reports.subject_access import SCREEN_ONLY_IN_DISCLOSURE

    world.lena.organisation = world.north_gp  # as if the LA team sat in the issuing body
    report = _report(world, child)
    [section] = [s for s in report.held if s.heading == "The child"]
    assert ("NHS number", "943 476 5919") in section.on_screen
    assert SCREEN_ONLY_IN_DISCLOSURE not in dict(section.on_screen).values()


def test_the_report_lists_accesses_with_organisation_role_and_purpose_but_no_staff_names(world, child):
    searched(world.bob)
    viewed(child, world.bob, purpose="contact_practitioner")
    involved(child, world.alice)
    report = _report(world, child)
    rows = [(a.description, a.organisation, a.role, a.purpose) for a in report.accesses]
    assert (
        "Viewed the record",
        "South Street Surgery",
        "Practitioner",
        "Finding another practitioner to contact",
    ) in rows
    assert (APPEARED_IN_SEARCH, "South Street Surgery", "Practitioner", "") in rows
    assert ("Recorded an involvement", "Northshire Children's Services", "Practitioner", "") in rows
    body = rendered(_produce(world, child), heading="Subject access report")
    for name in ("Bob Example", "Alice Example", "Synthetic Practitioner"):
        assert name not in body


def test_accesses_are_listed_oldest_first(world, child):
    viewed(child, world.bob)
    searched(world.alice)
    descriptions = [a.description for a in _report(world, child).accesses]
    assert descriptions == ["Record created", "Viewed the record", APPEARED_IN_SEARCH]


def test_producing_the_html_report_is_audited_with_the_reference_sealed(world, child):
    _produce(world, child)
    event = AuditEvent.objects.get(tag=AuditTag.SubjectAccessProduced)
    assert (event.actor, event.child_id, event.additional["format"]) == (world.lena, child.pk, "html")
    assert "SAR-2026-0042" not in str(event.additional)
    sealed = event.additional["reference_sealed"]
    assert note_unseal(child.data_key, context="subject_access", sealed=sealed) == "SAR-2026-0042"


def test_the_pdf_is_a_no_store_attachment_and_is_audited(world, child):
    response = signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'attachment; filename="subject-access-{child.index_number}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")
    event = AuditEvent.objects.get(tag=AuditTag.SubjectAccessProduced)
    assert event.additional["format"] == "pdf"


def test_the_html_report_is_not_cached(world, child):
    assert "no-store" in _produce(world, child)["Cache-Control"]


def test_a_pdf_request_without_the_identity_check_goes_back_to_the_form(world, child):
    response = signed_in(world.lena).post(
        reverse("audit:subject_access_pdf", args=[child.pk]), {"reference": "X"}
    )
    assert response["Location"] == reverse("audit:subject_access", args=[child.pk])
    assert not AuditEvent.objects.filter(tag=AuditTag.SubjectAccessProduced).exists()


def test_a_police_safeguarding_enquiry_is_withheld_and_counted_for_the_la_team(world, child):
    searched(world.olivia)
    viewed(child, world.olivia, purpose="safeguarding")
    viewed(child, world.bob, purpose="safeguarding")
    report = _report(world, child)
    assert report.withheld_covert == 2  # the officer's search appearance and view
    assert "Southborough Police" not in [a.organisation for a in report.accesses]
    assert "South Street Surgery" in [a.organisation for a in report.accesses]
    body = rendered(_produce(world, child), heading="Subject access report")
    assert "2 entries withheld under the covert-enquiry rule" in body
    assert "Southborough Police" not in body


def test_police_views_for_other_purposes_are_not_withheld(world, child):
    viewed(child, world.olivia, purpose="providing_service")
    report = _report(world, child)
    assert report.withheld_covert == 0
    assert "Southborough Police" in [a.organisation for a in report.accesses]


def test_the_la_team_may_choose_not_to_withhold_a_police_enquiry(world, child):
    viewed(child, world.olivia, purpose="safeguarding")
    report = _report(world, child, withhold_covert=False)
    assert report.withheld_covert == 0
    assert "Southborough Police" in [a.organisation for a in report.accesses]


def test_a_report_that_disclosed_a_police_enquiry_says_so_in_its_audit_event(world, child):
    """Switching the covert rule off puts a police enquiry into the requester's copy: reviewable later."""
    viewed(child, world.olivia, purpose="safeguarding")

    def produced(data, url="audit:subject_access") -> AuditEvent:
        signed_in(world.lena).post(reverse(url, args=[child.pk]), {"identity_checked": "on", **data})
        return AuditEvent.objects.filter(tag=AuditTag.SubjectAccessProduced).latest("id")

    kept_back = produced({"reference": "SAR-1", "withhold_covert": "on"})
    disclosed = produced({"reference": "SAR-2"})
    pdf = produced({"reference": "SAR-3"}, "audit:subject_access_pdf")
    assert (kept_back.additional["covert_rule"], kept_back.additional["withheld_covert"]) == ("applied", 1)
    assert kept_back.additional["covert_disclosed"] == 0
    for event in (disclosed, pdf):
        assert event.additional["covert_rule"] == "switched_off"
        assert event.additional["covert_disclosed"] == 1  # the officer's view, in the requester's copy
    page = rendered(
        _produce(world, child, {"identity_checked": "on", "reference": "SAR-4"}),
        heading="Subject access report",
    )
    assert (
        "The covert-enquiry rule is switched off: 1 entry of a police safeguarding enquiry is in the report"
        in page
    )


def _pdf_text(response) -> str:
    """The words of the PDF as a reader sees them (pypdf), whitespace collapsed."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    return " ".join(text.split())


def test_the_pdf_leaves_out_the_withheld_entry_and_keeps_the_others(world, child):
    searched(world.olivia)
    viewed(child, world.olivia, purpose="safeguarding")
    viewed(child, world.bob, purpose="providing_service")
    response = signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    text = _pdf_text(response)
    assert "information held about a child" in text
    assert "Amelia Thornton" in text
    assert "South Street Surgery" in text  # the allowed entry: organisation and purpose
    assert "Providing or arranging a service for this child" in text
    assert "Southborough" not in text  # the withheld entries: the officer's force, role and purpose
    assert "Police" not in text
    assert "shield override" not in text
    assert "safeguarding" not in text.lower()
    assert "withheld" not in text.lower()  # and not even that something was withheld


@pytest.fixture
def overridden(world, shielded_child):
    shield_override(child=shielded_child, by=world.olivia, reason="Synthetic emergency")
    viewed(shielded_child, world.bob)
    return shielded_child


def test_a_shielded_childs_report_names_no_organisation_that_could_locate_the_child(world, overridden):
    report = _report(world, overridden)
    organisations = [a.organisation for a in report.accesses]
    assert "A police force" in organisations
    assert "A GP practice" in organisations
    body = rendered(_produce(world, overridden), heading="Subject access report")
    for locating in (
        "Southborough Police",
        "South Street Surgery",
        "Northshire Primary School",
        "North Road Surgery",
        "LS6 2QT",
        "Quarry Lane",
        "07700 900123",
    ):
        assert locating not in body
    assert WITHHELD_SHIELDED in body
    assert "Emergency access to the shielded record" in body


def test_a_shielded_childs_report_still_shows_name_and_date_of_birth(world, overridden):
    body = _produce(world, overridden).content.decode()
    assert "Jasmine Okafor" in body
    assert "4 March 2015" in body


def test_sensitive_services_are_withheld_and_counted_for_the_la_team(world, child):
    from children.records import InvolvementDetails
    from children.services import involvement_record

    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            "Synthetic Nurse", "Sexual health nurse", world.north_gp.pk, sensitive_category="sexual_health"
        ),
    )
    report = _report(world, child)
    assert report.withheld_sensitive == 1
    assert "Sexual health nurse" not in str(report.held)
    assert "1 sensitive service withheld" in _produce(world, child).content.decode()


def _pdf(world, child):
    response = signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    return response, PdfReader(BytesIO(response.content))


def test_every_page_of_the_pdf_says_page_n_of_m(world, child):
    for who in (world.alice, world.bob, world.olivia):
        for _ in range(12):  # enough accesses for the list to run onto more than one page
            viewed(child, who, purpose="providing_service")
    _, reader = _pdf(world, child)
    total = len(reader.pages)
    assert total >= 2
    for number, page in enumerate(reader.pages, start=1):
        assert f"Page {number} of {total}" in page.extract_text()


def test_the_pdf_shows_the_index_number_as_the_screen_does(world, child):
    from children.index_number import formatted

    text = _pdf_text(_pdf(world, child)[0])
    assert f"Index number {formatted(child.index_number)}." in text
    assert child.index_number not in text.replace(formatted(child.index_number), "")


def test_the_pdf_opens_with_a_covering_explanation_for_the_requester(world, child):
    text = _pdf_text(_pdf(world, child)[0])
    about = text.index("About this report")
    assert about < text.index("Amelia Thornton")
    for words in (
        "ContactPoint is the national index of children in England",
        "What this report contains",
        "The law allows some information to be left out of any report like this one",
        "it does not mean that anything was left out of this one",
        "Contact the ContactPoint team at the local authority that sent you this report",
        "Information Commissioner's Office",
    ):
        assert words in text


def test_the_pdf_carries_its_title_author_and_language(world, child):
    _, reader = _pdf(world, child)
    assert reader.metadata.title == "ContactPoint subject access report"
    assert reader.metadata.author == "ContactPoint"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_the_printed_page_hides_navigation_sign_out_the_phase_banner_and_buttons(world, child):
    import re
    from pathlib import Path

    from django.conf import settings

    page = _produce(world, child).content.decode()
    assert '<link rel="stylesheet" href="/static/css/cp.css">' in page
    assert 'class="govuk-service-navigation"' in page and "Sign out" in page
    css = (Path(settings.BASE_DIR) / "static" / "css" / "cp.css").read_text()
    block = re.search(r"@media print \{(.*?)\n\}", css, re.S)
    assert block, "cp.css has no @media print block"
    hidden = block.group(1)
    rule = re.search(r"([^{}]*)\{\s*display:\s*none", hidden)
    assert rule
    for selector in (".govuk-service-navigation", ".govuk-phase-banner", ".govuk-button", ".govuk-back-link"):
        assert selector in rule.group(1)


def test_a_sensitive_service_withheld_from_the_report_is_not_named_in_its_access_list(world, child):
    """Sensitive services are left out and counted for the LA team; the access list must not name one
    through its own events (recording the involvement, its views and searches) in the requester's PDF."""
    from accounts.models import OrganisationKind
    from children.records import InvolvementDetails
    from children.services import involvement_record
    from tests.personas import _org, make_user

    clinic = _org(
        OrganisationKind.SENSITIVE, "Northshire Young People's Sexual Health Clinic", "SXH-N", world.north
    )
    nurse = make_user("nina", clinic)
    involvement_record(
        child=child,
        by=nurse,
        details=InvolvementDetails(
            "Synthetic Nurse",
            "Sexual health nurse",
            clinic.pk,
            sensitive_category="sexual_health",
            recording_basis="consent",
        ),
    )
    viewed(child, nurse)
    report = _report(world, child)
    assert report.withheld_sensitive == 1 and report.withheld_sensitive_accesses == 2
    assert [a.description for a in report.accesses] == ["Record created"]
    response = signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages).split()
    )
    assert "Record created" in text
    assert (
        "Sexual Health" not in text
        and "Recorded an involvement" not in text
        and "Viewed the record" not in text
    )
    screen = rendered(_produce(world, child), heading="Subject access report")
    assert "2 entries about sensitive services withheld" in screen
