"""CSV injection through a line break inside a cell, in a spreadsheet that splits on ";".

The file is written with ",": a cell holding a line break is quoted, so in the comma reading the break
stays inside the cell. A spreadsheet in a ";" locale honours a quote only at the start of a ";" field,
and a "," file's later cells are in the middle of its first ";" field, so there the quote is an ordinary
character and the line break ends the row: whatever follows it starts a new row's first cell. `csv_cell`
neutralised a formula after a ";" but not after a line break, so "Quarry Hill\\n=cmd|' /C calc'!A0" left
as a formula. Feeds and corrections refuse control characters, but an organisation's name (typed by an
administrator, shown in the educational setting, GP and services columns and the audit summary) is not
checked for them.
"""

import csv
import io
from datetime import date

import pyzipper

from access.policy import export_approval_stands
from accounts.models import OrganisationKind, Role
from children.records import ChildDetails, EducationalSetting, Gender
from children.services import child_create
from coordination.tests.support import organisation
from disclosure.services import export_decide, export_release, export_request
from disclosure.spreadsheet import csv_cell
from disclosure.tests.downloads import file_built
from team.disclosure_file import export_built, passphrase_new
from tests.personas import make_user

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DDE = "=cmd|' /C calc'!A0"


def _formulas_read_with_semicolons(text: str) -> list[str]:
    """Every cell a spreadsheet splitting on ";" would run as a formula (leading spaces trimmed)."""
    rows = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")), delimiter=";")
    return [cell for row in rows for cell in row if cell.lstrip(" ")[:1] in FORMULA_STARTS]


def _written(cells: list[object]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(cell) for cell in cells])
    return out.getvalue()


def test_a_formula_after_a_line_break_in_a_cell_is_neutralised():
    for hostile in (
        f"Quarry Hill\n{DDE}",
        f"Quarry Hill\r\n {DDE}",
        f"Quarry Hill\r{DDE}",
        "a\n+1+1;x",
        f'x;"{DDE}"',
        f'x\n"{DDE}"',
    ):
        written = _written(["1234567890", "Amelia Thornton", hostile])
        assert _formulas_read_with_semicolons(written) == [], hostile


def test_a_line_break_keeps_its_words_in_the_comma_reading():
    (row,) = list(csv.reader(io.StringIO(_written(["Quarry Hill\nAcademy"]))))
    assert row == ["Quarry Hill\nAcademy"]


def test_the_disclosure_file_read_as_a_semicolon_spreadsheet_runs_no_formula_after_a_line_break(world):
    school = organisation(world, OrganisationKind.SCHOOL, f"Quarry Hill\n{DDE}", "URN-77")
    child = child_create(
        local_authority=world.north,
        details=ChildDetails(
            given_names="Amelia",
            family_name="Thornton",
            gender=Gender.FEMALE,
            date_of_birth=date(2015, 3, 4),
            educational_setting=EducationalSetting(organisation_id=school.pk),
        ),
    )
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis="court_order",
        reference="CO-1",
        children=[child],
        fields=["name", "educational_setting"],
    )
    export_decide(export=export, by=make_user("leo", world.north, Role.LA_TEAM), approve=True, reason="Seen")
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
    assert "Quarry Hill" in text and "cmd|' /C calc'!A0" in text  # carried, as text
    assert _formulas_read_with_semicolons(text) == []
