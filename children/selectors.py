"""Reads of child records: decrypt what a permitted caller asked for, nothing more."""

from dataclasses import dataclass
from typing import Any

from accounts.models import Organisation
from children.models import Carer, Child, Involvement
from children.records import CarerDetails, ChildDetails, InvolvementDetails
from vault.sealing import Sealer


def _unseal_row(sealer: Sealer, row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    return {column: sealer.unseal(row, column) for column in columns}


def child_details(child: Child, sealer: Sealer | None = None) -> ChildDetails:
    sealer = sealer or Sealer(child.data_key)
    return ChildDetails.from_sealed_values(_unseal_row(sealer, child, Child.SEALED))


def involvement_details(involvement: Involvement) -> InvolvementDetails:
    """One involvement, decrypted alone (no need to open the rest of the child's record)."""
    sealer = Sealer(involvement.child.data_key)
    return InvolvementDetails.from_sealed_values(_unseal_row(sealer, involvement, Involvement.SEALED))


@dataclass
class InvolvementView:
    involvement: Involvement
    details: InvolvementDetails
    organisation: Organisation | None

    @property
    def id(self) -> str:
        return str(self.involvement.pk)

    @property
    def is_sensitive(self) -> bool:
        return self.details.sensitive_category is not None


@dataclass
class ChildRecordView:
    child: Child
    details: ChildDetails
    carers: list[CarerDetails]
    involvements: list[InvolvementView]
    organisations: dict[int, Organisation]

    def organisation(self, organisation_id: int | None) -> Organisation | None:
        return self.organisations.get(organisation_id) if organisation_id else None


def child_record(child: Child) -> ChildRecordView:
    """The whole decrypted record; callers apply `access.policy.visibility` before showing it."""
    sealer = Sealer(child.data_key)
    details = child_details(child, sealer)
    carers = [
        CarerDetails(**_unseal_row(sealer, carer, Carer.SEALED))
        for carer in Carer.objects.filter(child=child).order_by("position")
    ]
    involvement_rows = list(Involvement.objects.filter(child=child).order_by("created_at"))
    involvement_details = [
        InvolvementDetails.from_sealed_values(_unseal_row(sealer, row, Involvement.SEALED))
        for row in involvement_rows
    ]
    org_ids = {d.organisation_id for d in involvement_details}
    if details.educational_setting:
        org_ids.add(details.educational_setting.organisation_id)
    if details.gp_practice_id:
        org_ids.add(details.gp_practice_id)
    org_ids.add(child.local_authority_id)
    organisations = Organisation.objects.in_bulk(org_ids)
    involvements = [
        InvolvementView(row, d, organisations.get(d.organisation_id))
        for row, d in zip(involvement_rows, involvement_details, strict=True)
    ]
    return ChildRecordView(child, details, carers, involvements, organisations)
