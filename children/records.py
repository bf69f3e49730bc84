"""Plain, decrypted views of a child's record, and how they map to sealed columns.

These objects exist only in memory while a permitted request is handled; they are never logged.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from matching.identity import Identity
from matching.normalise import normalise_postcode


class Gender:
    FEMALE = "female"
    MALE = "male"
    NOT_SPECIFIED = "not_specified"
    CHOICES = ((FEMALE, "Female"), (MALE, "Male"), (NOT_SPECIFIED, "Not specified"))


class AddressStatus:
    KNOWN = "known"
    NO_KNOWN_ADDRESS = "none"
    LEFT_ENGLAND = "left_england"


class ReturnIntention:
    INTENDS_TO_RETURN = "intends_to_return"
    DOES_NOT_INTEND = "does_not_intend"
    UNKNOWN = "unknown"
    LABELS = {
        INTENDS_TO_RETURN: "Intends to return within 3 years",
        DOES_NOT_INTEND: "Does not intend to return",
        UNKNOWN: "Intention to return not known",
    }


# How many previous postcodes a record keeps (newest first). A practitioner's old letter or school record
# is usually from the last address or the one before; three covers a child moved twice since, and bounds
# what the record holds (and the keys it is filed under) for a child who moves often.
FORMER_POSTCODES_KEPT = 3


def _normalised(postcodes: Iterable[str]) -> tuple[str, ...]:
    return tuple(p for p in (normalise_postcode(x) for x in postcodes) if p)


def former_postcodes_after_move(
    *, previous: str | None, current: str | None, kept: Iterable[str]
) -> list[str]:
    """The former postcodes once a child has moved from `previous` to `current`: newest first, at most
    FORMER_POSTCODES_KEPT, never the current one (a child who moves back is found by it as current).
    """
    wanted = [previous] if previous else []
    ordered = [normalise_postcode(p) for p in [*wanted, *kept]]
    now = normalise_postcode(current) if current else None
    formers = [p for p in dict.fromkeys(ordered) if p and p != now]
    return formers[:FORMER_POSTCODES_KEPT]


class SensitiveCategory:
    SEXUAL_HEALTH = "sexual_health"
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_MISUSE = "substance_misuse"
    # Recorded by staff of a sensitive service whose kind the directory does not say (the page's case).
    UNSTATED = "sensitive_service"
    ALL = (SEXUAL_HEALTH, MENTAL_HEALTH, SUBSTANCE_MISUSE, UNSTATED)


class RecordingBasis:
    """Why a sensitive service's involvement may be recorded at all (domain.md: "recorded only with
    consent or where there is reasonable cause to suspect significant harm"). Sealed with the involvement,
    in its audit event, and read by the LA team alone; never asked of, nor kept for, any other service."""

    CONSENT = "consent"
    SIGNIFICANT_HARM = "significant_harm"
    ALL = (CONSENT, SIGNIFICANT_HARM)
    # The recording page's answers (children.forms.InvolvementForm).
    CHOICES = (
        (CONSENT, "The young person (or a parent or carer, for a younger child) has given consent"),
        (
            SIGNIFICANT_HARM,
            "There is reasonable cause to suspect the child is suffering, or is likely to suffer, "
            "significant harm",
        ),
    )
    # What the LA team reads on the record; None: recorded before the page asked.
    TEAM_LABELS = {
        CONSENT: "Recorded with consent",
        SIGNIFICANT_HARM: "Recorded on reasonable cause to suspect significant harm",
        None: "Basis not recorded",  # recorded before it was asked, or before the service was classed sensitive
    }


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def age_on(date_of_birth: date, today: date) -> int:
    """Whole years from `date_of_birth` to `today` (a 29 February birthday counts from 1 March)."""
    return (
        today.year
        - date_of_birth.year
        - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    )


def town_from_address(address: dict[str, Any]) -> str | None:
    """The town of a known address (its last line, when there is a street line before it), else None."""
    lines = [line for line in (address.get("lines") or []) if line]
    if address.get("status", AddressStatus.KNOWN) != AddressStatus.KNOWN or len(lines) < 2:
        return None
    return str(lines[-1])


@dataclass
class Address:
    status: str = AddressStatus.KNOWN
    lines: list[str] = field(default_factory=list)
    postcode: str | None = None
    return_intention: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "lines": self.lines,
            "postcode": self.postcode,
            "return_intention": self.return_intention,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Address":
        return cls(
            status=data["status"],
            lines=list(data.get("lines") or []),
            postcode=data.get("postcode"),
            return_intention=data.get("return_intention"),
        )


@dataclass
class FormerName:
    given_names: str
    family_name: str


@dataclass
class SourceIdentifier:
    scheme: str
    value: str
    issuer_id: int


@dataclass
class EducationalSetting:
    organisation_id: int
    started_on: date | None = None


@dataclass
class ChildDetails:
    given_names: str
    family_name: str
    gender: str
    date_of_birth: date
    address: Address = field(default_factory=Address)
    former_names: list[FormerName] = field(default_factory=list)
    # Postcodes of previous addresses, newest first (see FORMER_POSTCODES_KEPT): searchable, never shown.
    former_postcodes: list[str] = field(default_factory=list)
    date_of_death: date | None = None
    educational_setting: EducationalSetting | None = None
    gp_practice_id: int | None = None
    source_identifiers: list[SourceIdentifier] = field(default_factory=list)
    caf_completed: bool = False
    lead_professional_id: str | None = None

    def sealed_values(self) -> dict[str, Any]:
        setting = self.educational_setting
        return {
            "given_names": self.given_names,
            "family_name": self.family_name,
            "former_names": [
                {"given_names": f.given_names, "family_name": f.family_name} for f in self.former_names
            ],
            "former_postcodes": list(self.former_postcodes),
            "gender": self.gender,
            "date_of_birth": self.date_of_birth.isoformat(),
            "address": self.address.to_json(),
            "date_of_death": self.date_of_death.isoformat() if self.date_of_death else None,
            "educational_setting": (
                {
                    "organisation_id": setting.organisation_id,
                    "started_on": setting.started_on.isoformat() if setting.started_on else None,
                }
                if setting
                else None
            ),
            "gp_practice": {"organisation_id": self.gp_practice_id} if self.gp_practice_id else None,
            "source_identifiers": [
                {"scheme": s.scheme, "value": s.value, "issuer_id": s.issuer_id}
                for s in self.source_identifiers
            ],
            "caf_completed": self.caf_completed,
            "lead_professional": self.lead_professional_id,
        }

    @classmethod
    def from_sealed_values(cls, values: dict[str, Any]) -> "ChildDetails":
        setting = values["educational_setting"]
        gp = values["gp_practice"]
        return cls(
            given_names=values["given_names"],
            family_name=values["family_name"],
            former_names=[FormerName(**f) for f in values["former_names"]],
            former_postcodes=list(values.get("former_postcodes") or []),
            gender=values["gender"],
            date_of_birth=date.fromisoformat(values["date_of_birth"]),
            address=Address.from_json(values["address"]),
            date_of_death=_date(values["date_of_death"]),
            educational_setting=(
                EducationalSetting(setting["organisation_id"], _date(setting["started_on"]))
                if setting
                else None
            ),
            gp_practice_id=gp["organisation_id"] if gp else None,
            source_identifiers=[SourceIdentifier(**s) for s in values["source_identifiers"]],
            caf_completed=bool(values["caf_completed"]),
            lead_professional_id=values["lead_professional"],
        )

    def identity(self) -> Identity:
        """What the matching engine compares: all known names, date of birth, gender, current and former postcodes."""
        postcode = normalise_postcode(self.address.postcode) if self.address.postcode else None
        return Identity(
            family_names=(self.family_name, *[f.family_name for f in self.former_names]),
            given_names=(self.given_names, *[f.given_names for f in self.former_names]),
            date_of_birth=self.date_of_birth,
            gender=self.gender,
            postcodes=(postcode,) if postcode else (),
            former_postcodes=_normalised(self.former_postcodes),
        )

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"


IDENTITY_COLUMNS = (
    "given_names",
    "family_name",
    "former_names",
    "former_postcodes",
    "gender",
    "date_of_birth",
    "address",
)
IDENTITY_FIELDS = frozenset(
    {"family_names", "given_names", "date_of_birth", "gender", "postcodes", "former_postcodes"}
)


class SealedValues(Protocol):
    """Decrypted identity columns by name: a dict, or a candidate that decrypts a column when first read."""

    def __getitem__(self, column: str, /) -> Any: ...


def identity_from_sealed_values(values: SealedValues, fields: frozenset[str] = IDENTITY_FIELDS) -> Identity:
    """The identity of a child from just the identity columns (what search decrypts), or only `fields` of it.

    Only the columns those fields come from are read, so a mapping that decrypts a column when it is
    first read (children.search) decrypts nothing a comparison does not need; the rest stay empty.
    """
    formers = values["former_names"] if fields & {"family_names", "given_names"} else []
    postcode = values["address"].get("postcode") if "postcodes" in fields else None
    normalised = normalise_postcode(postcode) if postcode else None
    return Identity(
        family_names=(values["family_name"], *[f["family_name"] for f in formers])
        if "family_names" in fields
        else (),
        given_names=(values["given_names"], *[f["given_names"] for f in formers])
        if "given_names" in fields
        else (),
        date_of_birth=date.fromisoformat(values["date_of_birth"]) if "date_of_birth" in fields else None,
        gender=values["gender"] if "gender" in fields else None,
        postcodes=(normalised,) if normalised else (),
        # None: a record last written before former postcodes were kept.
        former_postcodes=_normalised(values["former_postcodes"] or ())
        if "former_postcodes" in fields
        else (),
    )


@dataclass
class CarerDetails:
    name: str
    relationship: str
    parental_responsibility: bool = True
    phone: str | None = None
    email: str | None = None
    address: str | None = None

    def sealed_values(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "relationship": self.relationship,
            "parental_responsibility": self.parental_responsibility,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
        }


@dataclass
class InvolvementDetails:
    practitioner_name: str
    role: str
    organisation_id: int
    phone: str | None = None
    email: str | None = None
    started_on: date | None = None
    ended_on: date | None = None
    sensitive_category: str | None = None
    # A sensitive service's only (`RecordingBasis`); None for any other, and for one recorded before asked.
    # Not in the printed form (a log line, an assertion's message): the log filter (vault.logging) knows
    # no field of that name, and "significant_harm" tells of the child.
    recording_basis: str | None = field(default=None, repr=False)

    def sealed_values(self) -> dict[str, Any]:
        return {
            "practitioner_name": self.practitioner_name,
            "role": self.role,
            "organisation_id_sealed": self.organisation_id,
            "phone": self.phone,
            "email": self.email,
            "started_on": self.started_on.isoformat() if self.started_on else None,
            "ended_on": self.ended_on.isoformat() if self.ended_on else None,
            "sensitive_category": self.sensitive_category,
            "recording_basis": self.recording_basis,
        }

    @classmethod
    def from_sealed_values(cls, values: dict[str, Any]) -> "InvolvementDetails":
        return cls(
            practitioner_name=values["practitioner_name"],
            role=values["role"],
            organisation_id=values["organisation_id_sealed"],
            phone=values["phone"],
            email=values["email"],
            started_on=_date(values["started_on"]),
            ended_on=_date(values["ended_on"]),
            sensitive_category=values["sensitive_category"],
            recording_basis=values.get("recording_basis"),  # a row written before it was kept: None
        )
