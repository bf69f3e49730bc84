"""Subject access: the disclosure copy of a shielded child's report gives nothing that finds the child.

The requester may be the very person the child is shielded from. The report already withheld the
address, the carers, the school, the GP and the organisations' names, but printed the child's current
and former names (a family that changed its name to escape is found by the new one; search and the
restricted record view withhold former names, a transfer page withholds the name a shielded family took
since), dated the child's moves ("Accepted the record from another local authority", "Recorded the
address...") and printed each service's free-text role as typed ("GP at South Street Surgery, Harehills").
The LA team's page (its working copy) still shows the names, marked as not in the disclosure copy.
"""

import html
from datetime import date
from io import BytesIO

from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.records import Address, AddressStatus, ChildDetails, FormerName, Gender, InvolvementDetails
from children.services import child_create, involvement_record
from corrections.fields import field_for
from corrections.services import correction_raise
from lifecycle.moves import address_status_record, transfer_accept, transfer_request
from reports.subject_access import SHIELDED_MOVES_NOT_LISTED, WITHHELD_SHIELDED, subject_access_report
from reports.tests.reporting import viewed
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import Role, make_user

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}
MOVED = "Accepted the record from another local authority"
ASKED_TO_MOVE = "Asked another local authority to take over the record"
ADDRESS_RECORDED = "Recorded the address, no known address, or that the child left England"


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    return " ".join(text.split())


def _pdf(by, child) -> str:
    return _pdf_text(signed_in(by).post(reverse("audit:subject_access_pdf", args=[child.pk]), REQUEST))


def _page(by, child):
    response = signed_in(by).post(reverse("audit:subject_access", args=[child.pk]), REQUEST)
    return rendered(response, heading="Subject access report")


def _renamed(world, *, shielded: bool = True, former: bool = True):
    """Maisie, who was Maisie Brackenridge (the name the requester knows) and is Maisie Hollowell now."""
    return child_create(
        local_authority=world.north,
        details=ChildDetails(
            given_names="Maisie",
            family_name="Hollowell",
            gender=Gender.FEMALE,
            date_of_birth=date(2016, 2, 9),
            address=Address(lines=["4 Orchard Close", "Leeds"], postcode="LS8 1PX"),
            former_names=[FormerName("Maisie", "Brackenridge")] if former else [],
        ),
        carers=[],
        shielded=shielded,
    )


def test_the_pdf_of_a_shielded_child_gives_neither_its_current_nor_its_former_names(world):
    text = _pdf(world.lena, _renamed(world))
    assert "Hollowell" not in text, "the name the family took to escape is in the requester's copy"
    assert "Brackenridge" not in text, "a shielded child's former names are in the requester's copy"
    assert "Maisie" not in text
    assert f"Name {WITHHELD_SHIELDED}" in text
    assert f"Former names {WITHHELD_SHIELDED}" in text
    assert "Date of birth 9 February 2016" in text  # still the report of this child


def test_the_pdf_withholds_the_names_of_a_shielded_child_whose_name_never_changed(world):
    """Withheld whatever the names are: withholding only a changed name would tell the requester that
    the family took a new one."""
    text = _pdf(world.lena, _renamed(world, former=False))
    assert "Hollowell" not in text
    assert f"Name {WITHHELD_SHIELDED}" in text
    assert f"Former names {WITHHELD_SHIELDED}" in text  # not "None": that would say no name changed


def _row(page: str, label: str) -> str:
    """The value of one row of the page's summary lists."""
    start = page.index(f'govuk-summary-list__key">{label}</dt>')
    return page[start : page.index("</dd>", start)]


def test_the_la_teams_page_shows_the_names_marked_as_not_in_the_disclosure_copy(world):
    page = _page(world.lena, _renamed(world))
    name_row = _row(page, "Name")
    assert "Maisie Hollowell" in name_row
    assert "Not in the disclosure copy (PDF)" in name_row
    former_row = _row(page, "Former names")
    assert "Maisie Brackenridge" in former_row
    assert "Not in the disclosure copy (PDF)" in former_row


def test_the_pdf_of_a_child_not_shielded_gives_its_names(world):
    text = _pdf(world.lena, _renamed(world, shielded=False))
    assert "Name Maisie Hollowell" in text
    assert "Former names Maisie Brackenridge" in text


def test_a_correction_naming_a_shielded_child_gives_no_name_in_the_pdf(world):
    """A proposed name is the child's name: printed, it would undo withholding the name itself; and a dated
    "Family name" row would say the name was changed, and when, which withholding every name hides."""
    maisie = _renamed(world)
    correction_raise(
        child=maisie, field=field_for("family_name"), value="Hollowel", reason="Typing", by=world.alice
    )
    text = _pdf(world.lena, maisie)
    assert "Hollowel" not in text
    assert "Family name A children's social care service" not in text
    assert "No corrections have been asked for" in text


def test_a_correction_of_where_a_shielded_child_lives_is_not_listed_but_counted_for_the_la_team(
    world, shielded_child
):
    """Before, the PDF said the address was corrected, and when ("Address ... Accepted: the record was
    corrected, 7 Dec 2026"), beside the sentence saying entries showing a new address are not listed."""
    correction_raise(
        child=shielded_child,
        field=field_for("address"),
        value=Address(lines=["9 Canal Street", "Leeds"], postcode="LS9 8AA"),
        reason="Moved",
        by=world.alice,
    )
    text = _pdf(world.lena, shielded_child)
    assert "Address A children's social care service" not in text
    assert "Asked for a detail of the record to be corrected" not in text  # its entries go with it
    assert SHIELDED_MOVES_NOT_LISTED in text
    page = html.unescape(_page(world.lena, shielded_child))
    assert "1 correction of the child's names or of where the child lives withheld" in page


def test_a_correction_of_a_child_not_shielded_is_listed(world, child):
    correction_raise(
        child=child, field=field_for("family_name"), value="Thorneton", reason="Typing", by=world.alice
    )
    text = _pdf(world.lena, child)
    assert "Family name Northshire Children's Services Thorneton" in text


def _moved_to_south(world, child):
    sally = make_user("sally", world.south, Role.LA_TEAM)
    transfer = transfer_request(child=child, to_la=world.south, by=world.lena, reason="moved")
    assert transfer_accept(transfer=transfer, by=sally)
    return sally


def test_the_pdf_of_a_shielded_child_does_not_tell_of_its_move_to_another_la(world, shielded_child):
    sally = _moved_to_south(world, shielded_child)
    text = _pdf(sally, shielded_child)
    assert "Southborough" not in text and "Northshire" not in text
    assert MOVED not in text, "the requester learns the shielded child moved to another LA, and when"
    assert ASKED_TO_MOVE not in text
    assert SHIELDED_MOVES_NOT_LISTED in text  # said as every shielded child's report says it
    assert "Record created" in text  # the other entries are still listed


def test_the_pdf_of_a_shielded_child_does_not_tell_of_a_new_address_statement(world, shielded_child):
    address_status_record(
        child=shielded_child,
        by=world.lena,
        status=AddressStatus.KNOWN,
        lines=["9 Elm Row"],
        postcode="LS9 9ZZ",
    )
    text = _pdf(world.lena, shielded_child)
    assert ADDRESS_RECORDED not in text
    assert "LS9" not in text and "Elm Row" not in text


def test_the_la_teams_page_counts_the_moves_withheld_and_the_production_records_it(world, shielded_child):
    sally = _moved_to_south(world, shielded_child)
    page = _page(sally, shielded_child)
    assert "2 entries withheld from the access list because they would show the child moving" in page
    assert MOVED not in page
    event = AuditEvent.objects.filter(tag=AuditTag.SubjectAccessProduced).latest("id")
    assert event.additional["withheld_shielded_moves"] == 2


def test_the_pdf_of_a_child_not_shielded_lists_its_moves(world, child):
    sally = _moved_to_south(world, child)
    child = Child.objects.get(pk=child.pk)  # now Southborough's
    address_status_record(child=child, by=sally, status=AddressStatus.NO_KNOWN_ADDRESS)
    text = _pdf(sally, child)
    assert MOVED in text and ASKED_TO_MOVE in text and ADDRESS_RECORDED in text
    assert SHIELDED_MOVES_NOT_LISTED not in text


def _seen_at_harehills(world, child) -> None:
    involvement_record(
        child=child,
        by=world.bob,
        details=InvolvementDetails(
            practitioner_name="Bob Example",
            role="GP at South Street Surgery, Harehills",
            organisation_id=world.south_gp.pk,
            started_on=date(2024, 5, 1),
        ),
    )


def test_the_pdf_of_a_shielded_child_gives_a_services_kind_not_its_free_text_role(world, shielded_child):
    _seen_at_harehills(world, shielded_child)
    text = _pdf(world.lena, shielded_child)
    assert "Harehills" not in text, "the involvement's free-text role names where the child is seen"
    assert f"{WITHHELD_SHIELDED} A GP practice, from 1 May 2024" in text
    assert "Harehills" not in _page(world.lena, shielded_child)


def test_the_pdf_of_a_child_not_shielded_gives_a_services_role(world, child):
    _seen_at_harehills(world, child)
    text = _pdf(world.lena, child)
    assert "GP at South Street Surgery, Harehills South Street Surgery, from 1 May 2024" in text


def test_a_police_correction_left_out_is_not_counted_as_a_disclosed_enquiry_nor_as_a_move(
    world, shielded_child
):
    """With the covert rule switched off, an officer's correction of a shielded child's names is left out
    (as every such correction is): it was still counted among the enquiry's entries "in the report", in
    the production's audit too, and its entry in the access list among the entries "showing the child
    moving"."""
    viewed(shielded_child, world.olivia, purpose="safeguarding")
    correction_raise(
        child=shielded_child, field=field_for("given_names"), value="Amelie", reason="Seen", by=world.olivia
    )
    report = subject_access_report(
        child=shielded_child, produced_by=world.lena, reference="SAR-1", withhold_covert=False
    )
    assert report.corrections == [] and report.withheld_shielded_corrections == 1
    assert not [a for a in report.accesses if "Asked for a detail" in a.description]
    assert report.covert_disclosed == 1  # the officer's view, the one entry of the enquiry listed
    assert report.withheld_shielded_moves == 0
    assert report.withheld_shielded_correction_entries == 1
