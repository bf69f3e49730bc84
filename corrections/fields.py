"""The fields of a record a correction may name, how a value of each reads, and how one is applied.

Values are kept in the record's own sealed-column form (an address as its JSON, a school as
`{"organisation_id": ...}`), so an accepted value goes through the same record-update service as a
feed update, and a correction can be compared with what a feed source says (feeds.provenance).
Location fields (address, school, GP, carers' contact details) are what a shielded record hides from
everyone but its own LA team: the policy refuses a correction naming one to anybody else.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from accounts.models import Organisation, OrganisationKind
from children.models import Carer, Child
from children.records import AddressStatus, ChildDetails, Gender, ReturnIntention
from children.row_values import OLDEST_AGE_YEARS as ROW_OLDEST_AGE_YEARS
from children.selectors import child_details
from children.services import child_details_update
from children.signals import carer_details_changed
from children.text import TOO_MANY_PARTS, name_too_long, text_problem
from rowlocks.held import Strength, row_held
from vault.sealing import Sealer


@dataclass(frozen=True)
class CorrectableField:
    key: str
    label: str
    kind: str  # text, date, gender, address, school, gp, phone, email
    location: bool
    carer_position: int | None = None

    @property
    def phrase(self) -> str:
        """The label inside a sentence ("Correct the GP practice", "the phone number of parent or carer 1")."""
        if self.carer_position is not None:
            return f"{_CARER_LABEL[self.kind]} of parent or carer {self.carer_position + 1}"
        return self.label if self.label[:2].isupper() else self.label[:1].lower() + self.label[1:]

    @property
    def column(self) -> str:
        """The sealed column it changes (of the child, or of the carer at `carer_position`)."""
        return self.kind if self.carer_position is not None else self.key


CHILD_FIELDS = (
    CorrectableField("given_names", "Given names", "text", location=False),
    CorrectableField("family_name", "Family name", "text", location=False),
    CorrectableField("date_of_birth", "Date of birth", "date", location=False),
    CorrectableField("gender", "Gender", "gender", location=False),
    CorrectableField("address", "Address", "address", location=True),
    CorrectableField("educational_setting", "Educational setting", "school", location=True),
    CorrectableField("gp_practice", "GP practice", "gp", location=True),
)
_BY_KEY = {f.key: f for f in CHILD_FIELDS}
_CARER_KEY = re.compile(r"carer-(\d{1,2})-(phone|email)")
_CARER_LABEL = {"phone": "phone number", "email": "email address"}
CARER_FIELD_KINDS = ("phone", "email")
NOT_RECORDED = "None recorded"
# The correctable fields that are a person's name: letters only, as a feed's names (children.text).
NAME_KEYS = ("given_names", "family_name")
# A feed's date of birth's (children.row_values, one value for every way a date of birth gets in): an
# index of children kept to 25 at most, so an older date is a keying error. Accepted, it would make the
# child an adult whom the next lifecycle run archives, out of every practitioner's view.
OLDEST_AGE_YEARS = ROW_OLDEST_AGE_YEARS


# The kind of organisation a school or GP value names: what the proposing page offers, and what accepting
# judges again (`organisation_problem`).
ORGANISATION_KINDS = {"school": OrganisationKind.SCHOOL, "gp": OrganisationKind.GP_PRACTICE}


def earliest_birth_year() -> int:
    return timezone.localdate().year - OLDEST_AGE_YEARS


def carer_field(position: int, kind: str) -> CorrectableField:
    label = f"Parent or carer {position + 1}: {_CARER_LABEL[kind]}"
    return CorrectableField(f"carer-{position}-{kind}", label, kind, location=True, carer_position=position)


def field_for(key: str) -> CorrectableField | None:
    """The field a key names, or None for a key that names none (a URL anyone can type)."""
    if key in _BY_KEY:
        return _BY_KEY[key]
    matched = _CARER_KEY.fullmatch(key)
    return carer_field(int(matched.group(1)), matched.group(2)) if matched else None


def field_label(key: str) -> str:
    field = field_for(key)
    return field.label if field else key


def fields_of(child: Child, *, include_location: bool) -> list[CorrectableField]:
    """The fields of this record a correction may name; location fields only if the viewer sees them."""
    fields = list(CHILD_FIELDS)
    for position in Carer.objects.filter(child=child).order_by("position").values_list("position", flat=True):
        fields += [carer_field(position, kind) for kind in CARER_FIELD_KINDS]
    return [f for f in fields if include_location or not f.location]


def current_value(child: Child, field: CorrectableField, sealer: Sealer | None = None) -> Any:
    """What the record holds now for `field`, in sealed-column form (None if nothing is recorded)."""
    sealer = sealer or Sealer(child.data_key)
    if field.carer_position is not None:
        carer = Carer.objects.filter(child=child, position=field.carer_position).first()
        return sealer.unseal(carer, field.column) if carer else None
    return child_details(child, sealer).sealed_values()[field.column]


def value_problem(field: CorrectableField, value: Any) -> str | None:
    """Why a proposed value (sealed-column form) may not go into the record, or None if it may.

    The same rule as a feed's values (children.text.text_problem) for every text the value holds: a
    name, a carer's phone or email, an address's lines and postcode; and a name has no more parts than a
    feed's may (`children.text.NAME_PARTS_MOST`: each part files the record under more keys, each a lock
    its shield, transfer or merge takes). Dates, genders and organisations are chosen from fixed forms and
    hold no free text; a date of birth is one a feed may send (not in the future, not before
    `earliest_birth_year`). Whether a proposed organisation may still be named: `organisation_problem`.
    """
    if field.kind == "date":
        try:
            born = date.fromisoformat(str(value))
        except ValueError:
            return "is not a date"
        if born > timezone.localdate() or born.year < earliest_birth_year():
            return "is not a date of birth a record may hold"
        return None
    if field.kind in ("text", "phone", "email"):
        is_name = field.key in NAME_KEYS
        if problem := text_problem(str(value or ""), name=is_name):
            return problem
        return TOO_MANY_PARTS if is_name and name_too_long(str(value or "")) else None
    if field.kind == "address" and isinstance(value, dict):
        parts = [*(value.get("lines") or []), value.get("postcode") or ""]
        return next((problem for part in parts if (problem := text_problem(str(part)))), None)
    return None


def organisation_problem(field: CorrectableField, value: Any) -> str | None:
    """Why the school or GP practice a value names may not go on the record now (a phrase after "The
    proposed GP practice"), or None. The proposing page offered the LA's open ones of that kind; since,
    the system administrator may have closed it or listed it as another kind (a sensitive service: every
    practitioner reads a record's GP practice, and the domain hides sensitive services from them).

    Call in the transaction that writes the value: the organisation's row is held FOR SHARE, so a close
    or a change of kind committing meanwhile is waited for and judged, or waits for the write.
    """
    if field.kind not in ORGANISATION_KINDS:
        return None
    organisation_id = value.get("organisation_id") if isinstance(value, dict) else None
    if organisation_id is None or not row_held(Organisation, organisation_id, strength=Strength.SHARE):
        return "is no longer in the directory"
    organisation = Organisation.objects.get(pk=organisation_id)
    if organisation.closed_on is not None and organisation.closed_on <= timezone.localdate():
        return "has closed since this correction was raised"
    if organisation.kind != ORGANISATION_KINDS[field.kind]:
        return f"is no longer listed as {'an' if field.kind == 'school' else 'a'} {field.phrase}"
    return None


class FieldGone(Exception):
    """The field no longer exists on the record (the carer it named was removed)."""


@dataclass(frozen=True)
class FieldApplied:
    """What applying a correction replaced, and what it undid downstream (for its audit event)."""

    previous: Any
    matches_withdrawn: int = 0


def field_apply(*, child: Child, field: CorrectableField, value: Any, by: Any) -> FieldApplied:
    """Write `value` through the record-update services; returns the value it replaced.

    A child column goes through `child_details_update`, which rebuilds the blind blocking keys in the
    same transaction (search and linkage then find the corrected name, date of birth or postcode, and
    no longer the wrong one) and writes the `child:record:updated` event. A carer's contact detail is
    a carer column: no blocking key is derived from it, but family matches' carer keys are, so
    `children.signals.carer_details_changed` is sent for them to be rebuilt (and family matches made
    through the replaced detail withdrawn).
    """
    sealer = Sealer(child.data_key)
    if field.carer_position is not None:
        carer = Carer.objects.filter(child=child, position=field.carer_position).first()
        if carer is None:
            raise FieldGone
        previous = sealer.unseal(carer, field.column)
        sealer.seal(carer, field.column, value)
        carer.save(update_fields=[field.column])
        # Family matches key on a carer's name with their phone or email (coordination, a floor this one
        # may not import): it rebuilds the child's keys in this transaction, and withdraws the family
        # matches the wrong detail made (it says how many).
        told: list[tuple[Any, Any]] = carer_details_changed.send(sender=Carer, child=child)
        return FieldApplied(previous, sum(count for _, count in told if isinstance(count, int)))
    values = child_details(child, sealer).sealed_values()
    previous = values[field.column]
    values[field.column] = value
    child_details_update(
        child=child,
        details=ChildDetails.from_sealed_values(values),
        columns=[field.column],
        by=by,
        address_was_wrong=True,  # a corrected address was never where the child lived: not a former one
    )
    return FieldApplied(previous)


def value_text(field: CorrectableField, value: Any) -> str:
    """A value as a person reads it, for the decision page and the subject access report."""
    if value in (None, "", {}):
        return NOT_RECORDED
    if field.kind == "date":
        return date.fromisoformat(value).strftime("%-d %B %Y")
    if field.kind == "gender":
        return dict(Gender.CHOICES).get(value, "Not specified")
    if field.kind == "address":
        return address_text(value)
    if field.kind in ("school", "gp"):
        organisation = Organisation.objects.filter(pk=value.get("organisation_id")).first()
        return organisation.name if organisation else NOT_RECORDED
    return str(value)


def address_text(value: dict[str, Any]) -> str:
    status = value.get("status", AddressStatus.KNOWN)
    if status == AddressStatus.NO_KNOWN_ADDRESS:
        return "No known address"
    if status == AddressStatus.LEFT_ENGLAND:
        return f"Left England. {ReturnIntention.LABELS.get(value.get('return_intention') or '', '')}".strip()
    return ", ".join([*(value.get("lines") or []), value.get("postcode") or ""]).strip(", ")
