"""Reads of child records: decrypt what a permitted caller asked for, nothing more."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from accounts.models import Organisation, OrganisationKind
from children.models import BlockingKeyEntry, Carer, Child, Involvement, RecordStatus
from children.records import (
    AddressStatus,
    CarerDetails,
    ChildDetails,
    InvolvementDetails,
    RecordingBasis,
    ReturnIntention,
)
from vault.crypto import KeyRevoked
from vault.keys import KeyShredded
from vault.sealing import Sealer


def key_entries_not_ordinary_join() -> str:
    """SQL: key entries `e`, each outer-joined to its child `c` only if that child is not ordinary
    (shielded, archived or closed); one placeholder, the active status. The condition is the predicate of
    the partial index `child_not_ordinary` (children.models.Child.Meta), word for word, so PostgreSQL
    joins to that small index instead of visiting every child's row: an entry joined to no child is an
    ordinary child's. (Django's FilteredRelation joins a required foreign key with INNER JOIN, which would
    drop the ordinary children.) Table names come from the models. Search and feed linkage both read
    the blocking index through it."""
    entry, child = BlockingKeyEntry._meta.db_table, Child._meta.db_table
    return (
        f'FROM "{entry}" e LEFT OUTER JOIN "{child}" c ON e.child_id = c.id '
        "AND (c.shielded OR NOT (c.status = %s)) "
    )


def child_pk(value: Any) -> UUID:
    """A child id from raw SQL as the ORM gives it (SQLite hands raw SQL a hex string, PostgreSQL a UUID)."""
    return value if isinstance(value, UUID) else UUID(str(value))


def unseal_column(sealer: Sealer, row: Any, column: str) -> Any:
    """One sealed value; None for an optional column never written (NULL), any other NULL fails loudly."""
    if column in getattr(row, "OPTIONAL_SEALED", ()) and getattr(row, column) is None:
        return None
    return sealer.unseal(row, column)


def _unseal_row(sealer: Sealer, row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    return {column: unseal_column(sealer, row, column) for column in columns}


def child_details(child: Child, sealer: Sealer | None = None) -> ChildDetails:
    sealer = sealer or Sealer(child.data_key)
    return ChildDetails.from_sealed_values(_unseal_row(sealer, child, Child.SEALED))


@dataclass(frozen=True)
class ChildIdentityShown:
    """Who a child is, and nothing more: what a shielded record shows to those who may not see where the
    child is (name, gender, date of birth; the index number is in clear), and what the purpose page names
    before any record is opened."""

    given_names: str
    family_name: str
    gender: str
    date_of_birth: date


def child_identity_shown(child: Child) -> ChildIdentityShown:
    """Decrypt the four columns `ChildIdentityShown` holds, no other.

    Review, session 21: the restricted view and the purpose page decrypted the whole record and gave it to
    the template (a shielded child's address, school, GP and NHS number), so only what the template chose
    to print kept the location off the page. Now they are never decrypted for those pages at all.
    """
    sealer = Sealer(child.data_key)
    return ChildIdentityShown(
        given_names=sealer.unseal(child, "given_names"),
        family_name=sealer.unseal(child, "family_name"),
        gender=sealer.unseal(child, "gender"),
        date_of_birth=date.fromisoformat(sealer.unseal(child, "date_of_birth")),
    )


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
        """A sensitive service's: its category says so (sealed when recorded), or its organisation is one
        now. An organisation the directory classes as a sensitive service after its staff recorded (an
        administrator may change its kind) makes its earlier involvements a sensitive service's too: judged
        by the category alone, they stayed named on every record page and in every inbox."""
        if self.details.sensitive_category is not None:
            return True
        return self.organisation is not None and self.organisation.kind == OrganisationKind.SENSITIVE

    @property
    def recording_basis_label(self) -> str:
        """Why a sensitive service's involvement was recorded, in words, for the LA team (the only
        viewers shown a sensitive service's involvement besides its recorder); "" for any other."""
        if not self.is_sensitive:
            return ""
        return RecordingBasis.TEAM_LABELS.get(self.details.recording_basis, RecordingBasis.TEAM_LABELS[None])


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


@dataclass(frozen=True)
class DataQuality:
    """Counts of an LA's active records that need a data manager's attention: numbers, never names."""

    active: int
    no_known_address: int
    left_england: dict[str, int]
    death_recorded: int

    @property
    def left_england_total(self) -> int:
        return sum(self.left_england.values())


def data_quality_counts(*, local_authority_id: int) -> DataQuality:
    """Open only the address and date-of-death columns of each active record of the LA, and count.

    Each record has its own data key, so this costs one unwrap and two unseals per record (the daily
    lifecycle scan does the same): seconds for an LA, which is why it is counted on request for one LA.
    """
    no_address = died = 0
    left: dict[str, int] = {}
    children = (
        Child.objects.filter(local_authority_id=local_authority_id, status=RecordStatus.ACTIVE)
        .select_related("data_key")
        .only("id", "data_key", "address", "date_of_death")
    )
    active = 0
    for child in children.iterator(chunk_size=500):
        try:
            sealer = Sealer(child.data_key)
        except (KeyRevoked, KeyShredded):
            # Shredded since its row was read (a merge or a purge committing meanwhile): no longer held,
            # so not counted, as a moment later; never a server error for the data manager.
            continue
        active += 1
        address = sealer.unseal(child, "address") or {}
        status = address.get("status", AddressStatus.KNOWN)
        if status == AddressStatus.NO_KNOWN_ADDRESS:
            no_address += 1
        elif status == AddressStatus.LEFT_ENGLAND:
            intention = address.get("return_intention") or ReturnIntention.UNKNOWN
            left[intention] = left.get(intention, 0) + 1
        if sealer.unseal(child, "date_of_death"):
            died += 1
    return DataQuality(active=active, no_known_address=no_address, left_england=left, death_recorded=died)
