"""Validating one feed row: a clean `FeedRecord`, or a reason that names the field and never its value.

Reasons go back to the source, into the batch's row table and possibly into logs, so they say *which*
rule failed ("nhs_number fails its check digit") and never repeat what was submitted.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import nhs_number

from children.records import Address, ChildDetails, FormerName, Gender, SourceIdentifier
from children.row_values import OLDEST_AGE_YEARS as OLDEST_AGE_YEARS  # named here as before
from children.row_values import (
    TEXT_LONGEST,
    TOO_OLD,
    DateOfBirthInvalid,
    date_of_birth_read,
    one_line,
    value_problem,
)
from children.text import NAME_PARTS_MOST as NAME_PARTS_MOST  # for the feed's schema (feeds.api)
from feeds.models import FEED_FIELDS
from matching.nhs import nhs_number_names_no_one
from matching.normalise import normalise_postcode

STRUCTURAL = ("record_id", "local_authority")
REQUIRED = ("record_id", "local_authority", "given_names", "family_name", "date_of_birth")
MAX_LENGTH = TEXT_LONGEST  # `children.row_values`: the same rule for a row of `manage.py link_file`
# NAME_PARTS_MOST, the most parts one name may have, is `children.text`'s: one cap for every way a name
# gets in (a correction and a new identity too). A row locks every blocking key it looks up or would
# file; past the cap, one row took more locks than PostgreSQL's shared lock table holds. A row's reason
# is `children.row_values`'; imported above for the feed's schema (`feeds.api`).

# The UK postcode shape (outward code, space optional, inward code).
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
GENDERS = {
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
    "male": Gender.MALE,
    "m": Gender.MALE,
    "not_specified": Gender.NOT_SPECIFIED,
    "not specified": Gender.NOT_SPECIFIED,
    "u": Gender.NOT_SPECIFIED,
    "": Gender.NOT_SPECIFIED,
}


class RowInvalid(Exception):
    """A row that cannot be ingested; the message is the reason, safe to show and store."""


@dataclass(frozen=True)
class FeedRecord:
    """One validated row. `provided` lists the entitled fields the row actually carried."""

    record_id: str
    local_authority: str
    given_names: str
    family_name: str
    date_of_birth: date
    gender: str | None = None
    nhs_number: str | None = None
    former_family_name: str | None = None
    address_lines: tuple[str, ...] = ()
    postcode: str | None = None
    provided: frozenset[str] = field(default_factory=frozenset)
    # Written on the update path only: no record is created of a child who has died (`feeds.ingest`,
    # `feeds.review`), so `details` leaves it out.
    date_of_death: date | None = None

    def details(self, *, issuer_id: int | None) -> ChildDetails:
        """The child record this row describes (for a new child; never one with a date of death)."""
        return ChildDetails(
            given_names=self.given_names,
            family_name=self.family_name,
            gender=self.gender or Gender.NOT_SPECIFIED,
            date_of_birth=self.date_of_birth,
            address=Address(lines=list(self.address_lines), postcode=self.postcode),
            former_names=(
                [FormerName(self.given_names, self.former_family_name)] if self.former_family_name else []
            ),
            source_identifiers=(
                [SourceIdentifier("nhs_number", self.nhs_number, issuer_id)]
                if self.nhs_number and issuer_id is not None
                else []
            ),
        )

    def address_parts(self) -> dict[str, Any]:
        """The parts of an address this row supplied, each only if it holds a value: "street" and "town"
        (each a tuple of its line) and "postcode". A lone line is the part whose cell the row filled
        (`provided`); for a record kept before blank-looking cells were blank (a clerical review's, which
        may name both), the street, the row's first address column."""
        parts: dict[str, Any] = {}
        lines = self.address_lines
        if len(lines) >= 2:
            parts["street"], parts["town"] = tuple(lines[:-1]), tuple(lines[-1:])
        elif lines:
            town_alone = "town" in self.provided and "address_line" not in self.provided
            parts["town" if town_alone else "street"] = tuple(lines)
        if self.postcode:
            parts["postcode"] = self.postcode
        return parts

    def display_values(self) -> dict[str, Any]:
        """Values of the displayed fields this row supplies but the address, in sealed-column form (for
        provenance)."""
        values: dict[str, Any] = {}
        if "given_names" in self.provided:
            values["given_names"] = self.given_names
        if "family_name" in self.provided:
            values["family_name"] = self.family_name
        if "date_of_birth" in self.provided:
            values["date_of_birth"] = self.date_of_birth.isoformat()
        if self.gender is not None:
            values["gender"] = self.gender
        if self.date_of_death is not None:
            values["date_of_death"] = self.date_of_death.isoformat()
        return values  # the address is stated part by part (`address_parts`, `feeds.provenance`)


NAME_FIELDS = ("given_names", "family_name", "former_family_name")


def cell_blank(value: Any) -> bool:
    """Is a row's cell blank: absent, or text that is nothing but white space (`one_line` makes it "")?

    The one rule for what a blank cell is, asked by the row's validation (a blank cell is no value) and by
    `row_fields` (a blank cell is no field supplied, so none outside the source's entitlement): an export
    padding a column it may not send with spaces supplies nothing, and nothing it is refused for.
    """
    return value is None or (isinstance(value, str) and not one_line(value))


def _text(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    if cell_blank(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):  # JSON true is an int to Python
        raise RowInvalid(f"{name} must be text")
    text = one_line(str(value))
    # A row's one rule for its values (children.row_values: length, then the record's rule for its text
    # shared with corrections, children.text, then a name's parts), shared with `manage.py link_file`.
    if problem := value_problem(text, name=name in NAME_FIELDS):
        raise RowInvalid(f"{name} {problem}")
    return text


def _date(text: str, today: date) -> date:
    # Only YYYY-MM-DD, not in the future, not more than OLDEST_AGE_YEARS ago: the rule `manage.py
    # link_file` applies to its rows too (children.row_values).
    try:
        return date_of_birth_read(text, today=today)
    except DateOfBirthInvalid as wrong:
        raise RowInvalid(f"date_of_birth {wrong}") from None


DEATH_BEFORE_BIRTH = "date_of_death is before date_of_birth"


def _date_of_death(text: str, today: date, born: date) -> date:
    """A date of death: YYYY-MM-DD as a date of birth is read, not in the future, not before the row's date
    of birth (the day of birth itself is taken). A date too old to be anyone's date of birth is before
    this one, which was taken: said so."""
    try:
        died = date_of_birth_read(text, today=today)
    except DateOfBirthInvalid as wrong:
        if str(wrong) == TOO_OLD:
            raise RowInvalid(DEATH_BEFORE_BIRTH) from None
        raise RowInvalid(f"date_of_death {wrong}") from None
    if died < born:
        raise RowInvalid(DEATH_BEFORE_BIRTH)
    return died


_TEN_DIGITS = re.compile(r"[0-9]{10}")


def _nhs(text: str) -> str:
    digits = "".join(text.split())
    # ASCII digits only: other scripts' digits pass isdigit() and the check digit, then file another key.
    if not _TEN_DIGITS.fullmatch(digits):
        raise RowInvalid("nhs_number must be 10 digits")
    if not nhs_number.is_valid(digits):
        raise RowInvalid("nhs_number fails its check digit")
    # A placeholder (one digit ten times passes the check digit) or a never-issued number: the engine links
    # on an equal NHS number even past a differing given name, so one shared by twins made them one child.
    # The one rule (`matching.nhs`), which the engine also asks of numbers stored before this refusal.
    if nhs_number_names_no_one(digits):
        raise RowInvalid("nhs_number is a placeholder or from a range never issued")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def _postcode(text: str) -> str:
    upper = text.upper()
    if not POSTCODE.match(upper):
        raise RowInvalid("postcode is not in a UK postcode format")
    normalised = normalise_postcode(upper)
    if normalised is None:
        raise RowInvalid("postcode is not in a UK postcode format")
    return normalised


def row_fields(row: dict[str, Any]) -> set[str]:
    """The entitled-field names a row carries a value for (blank cells, `cell_blank`, do not count)."""
    return {name for name, value in row.items() if name not in STRUCTURAL and not cell_blank(value)}


def row_validate(row: dict[str, Any], *, today: date) -> FeedRecord:
    """A clean record, or RowInvalid naming the first rule the row breaks."""
    known = set(FEED_FIELDS) | set(STRUCTURAL)
    unknown = [position for position, name in enumerate(row, start=1) if name not in known]
    if unknown:
        # Never the field's name: in a file without its header row the "names" are a child's values.
        raise RowInvalid(f"field {unknown[0]} of the row is not one of the feed's fields")
    texts = {name: _text(row, name) for name in (*STRUCTURAL, *FEED_FIELDS)}
    for name in REQUIRED:
        if not texts[name]:
            raise RowInvalid(f"{name} is required")
    gender_text = texts["gender"].lower()
    if gender_text not in GENDERS:
        raise RowInvalid("gender must be female, male or not_specified")
    address_lines = tuple(line for line in (texts["address_line"], texts["town"]) if line)
    born = _date(texts["date_of_birth"], today)
    return FeedRecord(
        record_id=texts["record_id"],
        local_authority=texts["local_authority"],
        given_names=texts["given_names"],
        family_name=texts["family_name"],
        date_of_birth=born,
        gender=GENDERS[gender_text] if texts["gender"] else None,
        nhs_number=_nhs(texts["nhs_number"]) if texts["nhs_number"] else None,
        former_family_name=texts["former_family_name"] or None,
        address_lines=address_lines,
        postcode=_postcode(texts["postcode"]) if texts["postcode"] else None,
        provided=frozenset(row_fields(row)),
        date_of_death=_date_of_death(texts["date_of_death"], today, born) if texts["date_of_death"] else None,
    )


def record_to_json(record: FeedRecord) -> dict[str, Any]:
    """A validated record as JSON (sealed into a clerical review, read back by `record_from_json`).

    A date of death is a key only when the row gave one: a row without it is the JSON it was before the
    field existed, so its review token (`linkage.services.review_row_token`, made of this JSON, and made
    again from a review's sealed copy) is the same, and a resend still waits on the review it opened then."""
    values: dict[str, Any] = {
        "record_id": record.record_id,
        "local_authority": record.local_authority,
        "given_names": record.given_names,
        "family_name": record.family_name,
        "date_of_birth": record.date_of_birth.isoformat(),
        "gender": record.gender,
        "nhs_number": record.nhs_number,
        "former_family_name": record.former_family_name,
        "address_lines": list(record.address_lines),
        "postcode": record.postcode,
        "provided": sorted(record.provided),
    }
    if record.date_of_death is not None:
        values["date_of_death"] = record.date_of_death.isoformat()
    return values


def record_from_json(data: dict[str, Any]) -> FeedRecord:
    return FeedRecord(
        record_id=data["record_id"],
        local_authority=data["local_authority"],
        given_names=data["given_names"],
        family_name=data["family_name"],
        date_of_birth=date.fromisoformat(data["date_of_birth"]),
        gender=data["gender"],
        nhs_number=data["nhs_number"],
        former_family_name=data["former_family_name"],
        address_lines=tuple(data["address_lines"]),
        postcode=data["postcode"],
        provided=frozenset(data["provided"]),
        # A review opened before the field existed holds no key for it.
        date_of_death=date.fromisoformat(data["date_of_death"]) if data.get("date_of_death") else None,
    )
