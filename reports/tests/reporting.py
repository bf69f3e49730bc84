"""Helpers that write the audit trail the reports read, through the real services (synthetic data)."""

from datetime import date

from accounts.models import User
from children.models import Child
from children.records import InvolvementDetails
from children.search import SearchCriteria, child_search
from children.services import involvement_record
from children.viewing import PurposeGrant, record_view_audit
from vault.sealing import note_seal

DISTINCTIVE_GIVEN = "Zephyrine"
DISTINCTIVE_FAMILY = "Quillfeather"


def viewed(
    child: Child, by: User, purpose: str = "providing_service", detail: str = "", restricted: bool = False
) -> None:
    sealed = note_seal(child.data_key, context="purpose", text=detail) if detail else None
    record_view_audit(child=child, by=by, grant=PurposeGrant(purpose, sealed), restricted=restricted)


def searched(by: User, family_name: str = "Thornton", dob: date = date(2015, 3, 4)) -> list[Child]:
    outcome = child_search(criteria=SearchCriteria(family_name=family_name, date_of_birth=dob), fetched_by=by)
    return [r.child for r in outcome.results]


def involved(child: Child, by: User) -> None:
    assert by.organisation_id is not None
    involvement_record(
        child=child,
        by=by,
        details=InvolvementDetails(
            "Synthetic Practitioner", "Social worker", by.organisation_id, started_on=date(2024, 1, 1)
        ),
    )
