"""What is held, as the subject access report words it, for the less common shapes of a record."""

from datetime import date

from django.utils import timezone

from children.records import Address, AddressStatus, ChildDetails, Gender, InvolvementDetails, ReturnIntention
from children.services import child_create, involvement_record
from reports.pdf import subject_access_pdf
from reports.subject_access import SubjectAccessReport, subject_access_report


def _held(world, child) -> dict[str, str]:
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    return {label: value for section in report.held for label, value in section.rows}


def _child(world, address: Address, **extra):
    details = ChildDetails("Ada", "Synthetic", Gender.FEMALE, date(2014, 1, 2), address=address, **extra)
    return child_create(local_authority=world.north, details=details, carers=[])


def test_it_words_a_child_who_left_england(world):
    address = Address(status=AddressStatus.LEFT_ENGLAND, return_intention=ReturnIntention.INTENDS_TO_RETURN)
    child = _child(world, address, date_of_death=date(2024, 5, 6))
    held = _held(world, child)
    assert held["Address"] == "Left England. Intends to return within 3 years"
    assert held["Date of death"] == "6 May 2024"
    assert held["GP practice"] == "None"


def test_it_words_a_child_with_no_known_address(world):
    child = _child(world, Address(status=AddressStatus.NO_KNOWN_ADDRESS))
    assert _held(world, child)["Address"] == "No known address"


def test_it_words_an_ended_involvement_without_the_practitioners_name(world, child):
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            "Synthetic Worker",
            "Family support worker",
            world.north_social_care.pk,
            started_on=date(2023, 1, 2),
            ended_on=date(2023, 6, 30),
        ),
    )
    held = _held(world, child)
    assert (
        held["Family support worker"] == "Northshire Children's Services, from 2 January 2023 to 30 June 2023"
    )
    assert "Synthetic Worker" not in str(held)


def test_the_pdf_says_so_when_no_access_is_recorded():
    report = SubjectAccessReport(
        index_number="1234567890", reference="SAR-1", produced_at=timezone.now(), shielded=False
    )
    assert subject_access_pdf(report).startswith(b"%PDF-")
