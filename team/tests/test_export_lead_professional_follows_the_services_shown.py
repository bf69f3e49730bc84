"""The export's "lead professional" cell says no more than the record page and the services column.

A sensitive service (sexual health, mental health, substance misuse) is never exported (docs/SECURITY.md
"No bulk export"), and the record page and the subject access report name a lead professional only among
the involvements they show: a sensitive lead reads "None recorded" to an ordinary practitioner. The
export's cell read the record's lead id directly, so a child whose lead professional is the sexual
health nurse left with "Lead professional: Yes" beside a services column without that service: the
recipient outside the system learnt that a hidden service leads the work with the child.
"""

from datetime import date

import pytest

from access.policy import export_approval_stands
from accounts.models import Role
from children.records import InvolvementDetails, SensitiveCategory
from children.services import involvement_record, lead_professional_set
from disclosure.services import export_decide, export_release, export_request
from disclosure.tests.downloads import file_built
from team.disclosure_file import export_rows_judged
from tests.personas import make_child, make_user


def _exported(world, child) -> dict[str, str]:
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis="court_order",
        reference="CO-9",
        children=[child],
        fields=["services", "lead_professional"],
    )
    export_decide(export=export, by=make_user("leo", world.north, Role.LA_TEAM), approve=True, reason="Seen")
    released = export_release(
        export=export, by=world.lena, approval_stands=export_approval_stands, build=file_built(world.lena)
    )
    (header, row), _ = export_rows_judged(export=released.export, children=released.children, by=world.lena)
    return dict(zip(header, row, strict=True))


@pytest.fixture
def sensitive_lead_child(world):
    child = make_child(world)
    nurse = involvement_record(
        child=child,
        by=world.bob,
        details=InvolvementDetails(
            "Nurse Quillon Abernethy",
            "Sexual health outreach nurse",
            world.south_gp.pk,
            started_on=date(2024, 2, 1),
            sensitive_category=SensitiveCategory.SEXUAL_HEALTH,
        ),
    )
    lead_professional_set(child=child, by=world.lena, involvement=nurse)
    return child


def test_a_sensitive_lead_professional_is_not_betrayed_by_the_lead_cell(world, sensitive_lead_child):
    cells = _exported(world, sensitive_lead_child)
    assert (
        "Sexual health"
        not in cells["Services involved (role, organisation and dates; never sensitive services)"]
    )
    assert cells["Whether a lead professional is recorded"] == "No"


def test_a_lead_professional_the_file_shows_is_said_to_be_recorded(world):
    """Control: a lead who is not a sensitive service is exported as recorded."""
    child = make_child(world)
    keyworker = involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            "Alice Example", "Family keyworker", world.north_social_care.pk, started_on=date(2024, 1, 1)
        ),
    )
    lead_professional_set(child=child, by=world.lena, involvement=keyworker)
    cells = _exported(world, child)
    assert (
        "Family keyworker"
        in cells["Services involved (role, organisation and dates; never sensitive services)"]
    )
    assert cells["Whether a lead professional is recorded"] == "Yes"
