"""CSV injection where the spreadsheet splits on ";" (the list separator of most European locales).

`csv_cell` neutralised a formula character at the start of a cell only. Python's CSV writer quotes a
cell that holds a comma, but not one that holds a semicolon, so a spreadsheet that splits on ";" cut
"x;=cmd|' /C calc'!A0" into two cells, the second a formula (a DDE command, with no comma or quote to
make the writer quote it). A carer's address or an involvement's role is typed by a person or sent by a
feed; an organisation's name is typed by an administrator. Each file that leaves with such a value, the
disclosure export and the audit summary, is read here as a ";" spreadsheet would read it.
"""

import csv
import io
from datetime import date

import pyzipper
from django.urls import reverse

from access.policy import export_approval_stands
from accounts.models import OrganisationKind, Role
from children.records import Address, CarerDetails, ChildDetails, Gender
from children.services import child_create
from coordination.tests.support import organisation
from disclosure.services import export_decide, export_release, export_request
from disclosure.spreadsheet import csv_cell
from disclosure.tests.downloads import file_built
from reports.tests.reporting import viewed
from team.disclosure_file import export_built, passphrase_new
from tests.journeys import signed_in
from tests.personas import make_user

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DDE = "=cmd|' /C calc'!A0"


def _formulas_read_with_semicolons(text: str) -> list[str]:
    """Every cell a spreadsheet splitting on ";" would run as a formula (leading spaces trimmed, as some do)."""
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    return [cell for cell in cells if cell.lstrip(" ")[:1] in FORMULA_STARTS]


def _written(cells: list[object]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(cell) for cell in cells])
    return out.getvalue()


def test_a_formula_after_a_semicolon_in_a_cell_is_neutralised():
    for hostile in (f"Flat 1;{DDE}", f"Flat 1; {DDE}", "a;b;+1+1", "x;@SUM(A1)", "x;-2+3;y"):
        assert _formulas_read_with_semicolons(_written([hostile, "07700 900123"])) == [], hostile


def test_a_cell_read_with_commas_keeps_its_words_and_stays_neutral():
    """The comma reading (the file's own) is unchanged for ordinary values and still neutral for hostile ones."""
    ordinary = ["12 Quarry Lane; Leeds", "Grace Thornton (mother): 07700 900123; grace@example.org"]
    assert next(csv.reader(io.StringIO(_written(ordinary)))) == ordinary
    (cell,) = next(csv.reader(io.StringIO(_written([f"Flat 1;{DDE}"]))))
    assert cell.startswith("Flat 1;") and "cmd|' /C calc'!A0" in cell
    assert next(csv.reader(io.StringIO(_written([DDE])))) == [f"'{DDE}"]


def test_the_disclosure_file_read_as_a_semicolon_spreadsheet_runs_no_formula(world):
    """A carer's address planted with a formula after a ";" leaves in the export as text."""
    child = child_create(
        local_authority=world.north,
        details=ChildDetails(
            given_names="Amelia",
            family_name="Thornton",
            gender=Gender.FEMALE,
            date_of_birth=date(2015, 3, 4),
            address=Address(lines=["12 Quarry Lane"], postcode=None),
        ),
        carers=[
            CarerDetails(
                name="Grace Thornton", relationship="mother", phone="07700 900123", address=f"Flat 1;{DDE}"
            )
        ],
    )
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis="court_order",
        reference="CO-1",
        children=[child],
        fields=["name", "address", "carers"],
    )
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export_decide(export=export, by=leo, approve=True, reason="Order checked")
    released = export_release(
        export=export, by=world.lena, approval_stands=export_approval_stands, build=file_built(world.lena)
    )
    passphrase = passphrase_new()
    body = export_built(
        export=released.export, children=released.children, by=world.lena, passphrase=passphrase
    ).file
    with pyzipper.AESZipFile(io.BytesIO(body)) as archive:
        archive.setpassword(passphrase.encode())
        text = archive.read("disclosure.csv").decode("utf-8")
    assert "Grace Thornton (mother)" in text and "cmd|' /C calc'!A0" in text  # carried, as text
    assert _formulas_read_with_semicolons(text) == []


def test_the_audit_summary_read_as_a_semicolon_spreadsheet_runs_no_formula(world, child):
    """An organisation named with a formula after a ";" leaves in the audit summary as text."""
    school = organisation(world, OrganisationKind.SCHOOL, f"Quarry Hill;{DDE}", "URN-9")
    viewed(child, make_user("tess", school))
    response = signed_in(world.lena).get(reverse("audit:export"), {"report": "child", "child": child.pk})
    text = response.content.decode()
    assert "Quarry Hill;" in text
    assert _formulas_read_with_semicolons(text) == []
