"""Subject access: the disclosure copy must not lead the requester to a third party (issue: disclosure review).

The requester may be the parent a shielded sibling is protected from, and a sensitive service is
recorded only with consent: the report must name neither, nor let the requester infer them.
"""

from datetime import date
from io import BytesIO

from django.urls import reverse
from pypdf import PdfReader

from accounts.models import OrganisationKind, Role
from children.records import (
    Address,
    CarerDetails,
    ChildDetails,
    EducationalSetting,
    Gender,
    InvolvementDetails,
    SourceIdentifier,
)
from children.services import child_create, involvement_record
from coordination.models import Match, MatchKind
from coordination.tests.support import clinic_nurse, record
from corrections.fields import field_for
from corrections.services import correction_accept, correction_raise
from tests.journeys import signed_in
from tests.personas import _org, make_child, make_user

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}


def _pdf_text(response) -> str:
    assert response.status_code == 200
    return " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages).split())


def _brother(world):
    """Oliver Okafor in Southborough, whose mother (Grace Thornton, 07700 900123) is shielded Jasmine's."""
    return child_create(
        local_authority=world.south,
        details=ChildDetails(
            given_names="Oliver",
            family_name="Okafor",
            gender=Gender.MALE,
            date_of_birth=date(2012, 6, 1),
            address=Address(lines=["3 Mill Row", "Southborough"], postcode="SB1 2AA"),
        ),
        carers=[CarerDetails(name="Grace Thornton", relationship="mother", phone="07700 900123")],
    )


def test_a_siblings_pdf_does_not_name_the_la_that_brokers_a_shielded_siblings_match(world, shielded_child):
    # Jasmine (shielded, held by Northshire) and her brother in Southborough share their mother.
    brother = _brother(world)
    record(shielded_child, world.alice, role="Allocated social worker")
    record(brother, world.bob, role="GP")
    assert Match.objects.get().kind == MatchKind.FAMILY  # nobody told: Northshire's team brokers it
    assert signed_in(world.lena).get(reverse("coordination:brokering")).status_code == 200

    # Whoever holds parental responsibility for the brother asks Southborough for his report.
    stella = make_user("stella", world.south, Role.LA_TEAM)
    page = signed_in(stella).post(reverse("audit:subject_access", args=[brother.pk]), REQUEST)
    text = _pdf_text(signed_in(stella).post(reverse("audit:subject_access_pdf", args=[brother.pk]), REQUEST))
    assert "South Street Surgery" in text  # his own GP is listed, as it should be
    assert "Northshire" not in text  # the sister's LA...
    assert "brokering" not in text  # ...nor that anyone's work with his family needs brokering
    assert 'id="withheld-third-party"' in page.content.decode()  # counted for Southborough's team only


def test_a_shielded_childs_pdf_withholds_the_pupil_number_that_encodes_its_la_and_school(world):
    jasmine = child_create(
        local_authority=world.north,
        details=ChildDetails(
            given_names="Jasmine",
            family_name="Okafor",
            gender=Gender.FEMALE,
            date_of_birth=date(2015, 3, 4),
            address=Address(lines=["12 Quarry Lane", "Leeds"], postcode="LS6 2QT"),
            educational_setting=EducationalSetting(world.north_school.pk, date(2020, 9, 1)),
            gp_practice_id=world.north_gp.pk,
            source_identifiers=[SourceIdentifier("upn", "A380212318001", world.north_school.pk)],
        ),
        carers=[CarerDetails(name="Grace Okafor", relationship="mother", phone="07700 900123")],
        shielded=True,
    )
    text = _pdf_text(
        signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[jasmine.pk]), REQUEST)
    )
    assert "Educational setting Withheld: shielded record" in text  # the school itself is withheld...
    assert "A380212318001" not in text  # ...and is not given back by the number it issued
    assert "Withheld: shielded record (the number identifies the local authority and school)" in text


def test_a_correction_raised_by_a_sensitive_service_does_not_name_it_in_the_pdf(world, child):
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
    # The nurse notices the child's given name is misspelt and says so, as any viewer may.
    correction_raise(
        child=child, field=field_for("given_names"), value="Amelie", reason="Told by child", by=nurse
    )
    page = signed_in(world.lena).post(reverse("audit:subject_access", args=[child.pk]), REQUEST)
    text = _pdf_text(
        signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    )
    assert "Amelia Thornton" in text  # the report is the child's
    assert "Sexual Health" not in text and "Amelie" not in text
    assert "No corrections have been asked for." in text
    assert "Sexual Health" not in page.content.decode()  # the LA team's copy counts it, never names it
    assert 'id="withheld-sensitive-corrections">1 correction asked for' in page.content.decode()


def test_the_match_with_a_sensitive_service_is_not_told_to_the_requester(world, child):
    """The report lists the social worker and withholds the clinic: its access list must not then say
    that the social worker was told about another practitioner (and the clinic about her)."""
    record(child, world.alice, role="Allocated social worker")
    record(child, clinic_nurse(world), role="Sexual health nurse")
    text = _pdf_text(
        signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    )
    assert "Allocated social worker" in text and "Riverside" not in text
    assert "Told a practitioner about another practitioner" not in text


def test_reading_a_match_with_a_sensitive_service_in_an_inbox_is_not_told_to_the_requester(world, child):
    """Both sides read their matches inbox (each read is audited, naming the child): the report's access
    list must not then say that the child was named in an inbox, which tells of a match the report withholds."""
    record(child, world.alice, role="Allocated social worker")
    nurse = clinic_nurse(world)
    record(child, nurse, role="Sexual health nurse")
    for reader in (world.alice, nurse):
        assert signed_in(reader).get(reverse("coordination:inbox")).status_code == 200
    text = _pdf_text(
        signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    )
    assert "Allocated social worker" in text and "Riverside" not in text
    assert "matches inbox" not in text


def _carer_phone_corrected(world, child, phone: str) -> None:
    field = field_for("carer-0-phone")
    assert field is not None
    correction = correction_raise(
        child=child, field=field, value=phone, reason="wrong number", by=world.alice
    )
    correction_accept(correction=correction, by=world.lena)


def test_a_withdrawn_match_with_a_sensitive_service_is_still_not_told_to_the_requester(world, child):
    """Amelia and Oliver were matched as a family through a carer phone later corrected, and the match
    withdrawn: its entries in Amelia's report are still about a sexual health clinic's work with another
    child, and stay withheld once the match itself is gone."""
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(child, world.alice, role="Allocated social worker")
    record(oliver, clinic_nurse(world), role="Sexual health nurse")
    assert Match.objects.get().kind == MatchKind.FAMILY
    _carer_phone_corrected(world, oliver, "07700 900999")
    assert not Match.objects.exists()

    text = _pdf_text(
        signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    )
    assert "Allocated social worker" in text
    assert "Told a practitioner about another practitioner" not in text


def test_a_withdrawn_match_between_services_that_are_not_sensitive_is_still_told_to_the_requester(
    world, child
):
    """Withholding every withdrawn match's entries would hide from the requester that their social worker
    was told about another practitioner, which they are entitled to know: the withdrawal keeps the answer."""
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(child, world.alice, role="Allocated social worker")
    record(oliver, world.bob, role="GP")
    _carer_phone_corrected(world, oliver, "07700 900999")
    assert not Match.objects.exists()

    text = _pdf_text(
        signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST)
    )
    assert "Told a practitioner about another practitioner" in text
    assert "Match withdrawn" in text
