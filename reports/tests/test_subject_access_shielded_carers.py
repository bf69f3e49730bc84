"""Subject access: a shielded child's carers are not named to the requester.

The requester may be the person the child is shielded from. The report withheld the carers' phone,
email and address but named every carer and their relationship ("Foster carer: Peter Lindqvist"): who
the child lives with now (a foster or adoptive placement, a parent's new partner, a parent's new name)
is what finds the child. The service treats a shielded child's carers as locating everywhere else: the
disclosure export holds no carers for a shielded child, and the data manager's archive page leaves out
an archived shielded record's carers' names (docs/SECURITY.md; docs/DECISIONS.md section 10).
"""

from datetime import date
from io import BytesIO

from django.urls import reverse
from pypdf import PdfReader

from children.records import Address, CarerDetails, ChildDetails, Gender
from children.services import child_create
from reports.subject_access import WITHHELD_SHIELDED, subject_access_report
from tests.journeys import signed_in
from tests.pages import rendered

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    return " ".join(text.split())


def _placed(world, *, shielded: bool):
    """Maisie, placed with a foster carer; her mother has parental responsibility."""
    return child_create(
        local_authority=world.north,
        details=ChildDetails(
            given_names="Maisie",
            family_name="Hollowell",
            gender=Gender.FEMALE,
            date_of_birth=date(2016, 2, 9),
            address=Address(lines=["4 Orchard Close", "Leeds"], postcode="LS8 1PX"),
        ),
        carers=[
            CarerDetails(
                name="Peter Lindqvist",
                relationship="foster carer",
                parental_responsibility=False,
                phone="07700 900456",
            ),
            CarerDetails(name="Dana Hollowell", relationship="mother", parental_responsibility=True),
        ],
        shielded=shielded,
    )


def test_a_shielded_childs_pdf_names_no_carer(world):
    maisie = _placed(world, shielded=True)
    lena = signed_in(world.lena)
    text = _pdf_text(lena.post(reverse("audit:subject_access_pdf", args=[maisie.pk]), REQUEST))
    assert "Date of birth 9 February 2016" in text  # the report expected (its names are withheld too)
    assert "Parents and carers" in text
    assert "Lindqvist" not in text and "Dana Hollowell" not in text
    assert "Foster carer" not in text and "foster carer" not in text

    page = rendered(
        lena.post(reverse("audit:subject_access", args=[maisie.pk]), REQUEST), heading="Subject access report"
    )
    assert "Lindqvist" not in page and "Dana Hollowell" not in page


def test_the_carers_section_says_it_is_withheld(world):
    maisie = _placed(world, shielded=True)
    report = subject_access_report(child=maisie, produced_by=world.lena, reference="SAR-1")
    carers = next(section for section in report.held if section.heading == "Parents and carers")
    assert carers.rows == [("Recorded", WITHHELD_SHIELDED)]


def test_a_childs_carers_are_named_when_the_record_is_not_shielded(world):
    maisie = _placed(world, shielded=False)
    text = _pdf_text(
        signed_in(world.lena).post(reverse("audit:subject_access_pdf", args=[maisie.pk]), REQUEST)
    )
    assert "Foster carer Peter Lindqvist" in text and "Dana Hollowell (parental responsibility)" in text
    assert "07700 900456" in text
