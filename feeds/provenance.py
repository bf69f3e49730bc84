"""Per-field provenance and the source-trust order that decides which value a child record displays.

Every value a source supplies for a displayed field is kept (sealed under the child's key) with the
source and the time. The displayed value is the one from the most trusted source for that field
(`FeedSource.rank_for`, lower wins), the most recent among equals. A value entered before any feed
supplied that field has no provenance and yields to the first source that does.
A value the owning LA team accepted as a correction is displayed over what sources said before it,
and over the value it replaced (or any an earlier correction replaced) however often a source sends
that again; a source that later sends a different value (the child moved, say) is displayed again, by
the same trust order.
An address is stated and displayed part by part (street, town, postcode: `ADDRESS_PART_FIELDS`). A source
states a part only if it is entitled to it and its row gave it a value; a part it may not supply, or left
blank, is no statement of that source: it neither hides what a less trusted source says of that part nor
takes back what the source said of it before. Each part is displayed from the most trusted source that
stated it (`rank_for("address")`, the most recent among equals), a part nobody stated keeps the value held.
A correction is judged part by part too: a part whose displayed statement is older than the correction, or
that was said together with other parts all repeating what a correction replaced (a census repeating the
postcode it replaced), shows the corrected part.
Identifiers and former names accumulate instead: a new one is added, none is dropped.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from children.models import Child, RecordStatus
from children.records import Address, ChildDetails, FormerName, SourceIdentifier
from children.selectors import child_details
from children.services import LockedChild, child_details_update, child_rows_locked
from corrections.selectors import CorrectionPin, correction_pins
from feeds.models import FeedSource, FieldProvenance
from feeds.validation import FeedRecord
from vault.sealing import Sealer


def provenance_record(
    *,
    child: Child,
    record: FeedRecord,
    source: FeedSource,
    sealer: Sealer,
    new_child: bool = False,
    stated_at: datetime | None = None,
) -> list[str]:
    """Keep what `source` says about each displayed field it supplied; returns those fields.

    `stated_at` is when the source said it (now, unless a clerical review carries the row out later):
    a field (for an address, a part) on which the source has said something newer since keeps that newer
    statement. An address statement holds the parts the source stated, each with when it said it: the
    parts it states now replace its earlier word on them, the rest of its earlier word stands.
    Two statements whatever the number of fields: the source's rows for the child are read at once (none
    to read for a child just created) and the new ones inserted at once.
    """
    now = stated_at or timezone.now()
    values = record.display_values()
    address_said = _address_parts_stated(record, source)
    if address_said:
        values[ADDRESS] = address_said
    held = (
        {}
        if new_child
        else {
            row.field: row
            for row in FieldProvenance.objects.filter(child=child, source=source, field__in=list(values))
        }
    )
    added = []
    for name, value in values.items():
        row = held.get(name) or FieldProvenance(child=child, field=name, source=source)
        if name == ADDRESS:
            parts = (
                _address_statement_read(sealer.unseal(row, "value"), source, row.recorded_at)
                if name in held
                else {}
            )
            newer = {part: said for part, said in parts.items() if said[1] > now}
            if all(part in newer for part in value):
                continue  # the source's newer word on every part it states now stands
            parts.update({part: (said, now) for part, said in value.items() if part not in newer})
            row.recorded_at = max(at for _, at in parts.values())
            sealer.seal(row, "value", _address_statement_json(parts))
        else:
            if name in held and held[name].recorded_at > now:
                continue  # the source's newer word on this field stands
            row.recorded_at = now
            sealer.seal(row, "value", value)
        if name in held:
            row.save(update_fields=["recorded_at", "value"])
        else:
            added.append(row)
    FieldProvenance.objects.bulk_create(added)
    return list(values)


def _displayed(
    rows: list[FieldProvenance], field: str, sealer: Sealer, pin: CorrectionPin | None, held: Address | None
) -> Any:
    if not rows:
        return None
    if field == ADDRESS:
        return _address_displayed(rows, sealer, pin, held)
    best = min(rows, key=lambda r: (r.source.rank_for(field), -r.recorded_at.timestamp()))
    said = sealer.unseal(best, "value")
    if pin is not None and (best.recorded_at <= pin.accepted_at or said in pin.replaced_before):
        return pin.value
    return said


# The parts of an address a source may be entitled to, and the feed field that carries each. An address's
# lines are its street lines then its town (feeds, corrections and the LA team's forms all build them so).
ADDRESS_PART_FIELDS = {"street": "address_line", "town": "town", "postcode": "postcode"}
ALL_ADDRESS_PARTS = tuple(ADDRESS_PART_FIELDS)


def _address_parts(source: FeedSource) -> tuple[str, ...]:
    """The parts of an address that `source` is entitled to speak for: street, town and postcode each on
    its own (a source entitled to the town only says nothing about the street, and the other way round)."""
    return tuple(part for part, name in ADDRESS_PART_FIELDS.items() if name in source.fields)


def _street_and_town(lines: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Two or more lines split as every address is built: the street line(s), then the town (the last)."""
    return tuple(lines[:-1]), tuple(lines[-1:])


def _part(address: dict[str, Any], part: str) -> Any:
    """One part of an address's sealed JSON, for comparing statements. A lone line may be either the
    street or the town (a row that carried one of them): it stands for both, so a source repeating it
    is recognised whichever part it speaks for."""
    if part == "postcode":
        return address.get("postcode")
    lines = list(address.get("lines") or [])
    if len(lines) < 2:
        return tuple(lines)
    street, town = _street_and_town(lines)
    return street if part == "street" else town


ADDRESS = "address"
# A part of an address as stated: the street or the town as a tuple of lines (one, from a feed row), the
# postcode as text; and when the source said it.
PartsSaid = dict[str, tuple[Any, datetime]]


# A part stated blank: a row giving an address leaves it empty.
BLANK_PART: dict[str, Any] = {"street": (), "town": (), "postcode": None}


def _address_parts_stated(record: FeedRecord, source: FeedSource) -> dict[str, Any]:
    """The address parts `record` states for `source`: every part the source is entitled to, those the row
    left empty stated blank, once the row gives any part of an address (none otherwise).

    A row's address is the source's word on the whole of what it may say (DECISIONS section 7, for the
    lead): a postcode sent alone by a source that may send the street says the street is not known, so a
    child who moved is never shown the old street with the new postcode. A part the source may not send
    is no statement of it at all: a census entitled to the postcode alone never hides the street and town
    another source gives (a review's finding, session 36).
    """
    given = record.address_parts()
    if not given:
        return {}
    return {part: given.get(part, BLANK_PART[part]) for part in _address_parts(source)}


def _address_statement_json(parts: PartsSaid) -> dict[str, Any]:
    """A source's address statement as sealed: each part it stated, with when."""
    return {
        "parts": {
            part: {"value": list(said) if isinstance(said, tuple) else said, "at": at.isoformat()}
            for part, (said, at) in sorted(parts.items())
        }
    }


def _address_statement_read(value: Any, source: FeedSource, recorded_at: datetime) -> PartsSaid:
    """The parts a source's sealed address statement states, each with when.

    A statement stored before parts were kept apart is the whole address (`Address.to_json`), the parts
    the source could not supply filled in from the record as it was: it is read as the parts the source is
    entitled to now (blank ones blank, as a row states them), all said when the row was recorded. A lone
    line from a source entitled to both the street and the town cannot say which it was: it is read as the
    street, a row's first address column.
    """
    if not isinstance(value, dict):
        return {}
    if "parts" in value:
        return {
            part: (
                tuple(entry["value"]) if isinstance(entry["value"], list) else entry["value"],
                datetime.fromisoformat(entry["at"]),
            )
            for part, entry in value["parts"].items()
        }
    entitled = _address_parts(source)
    lines = list(value.get("lines") or [])
    if len(lines) >= 2:
        street, town = _street_and_town(lines)
    else:
        street, town = (tuple(lines), ()) if "street" in entitled else ((), tuple(lines))
    held: dict[str, Any] = {"street": street, "town": town, "postcode": value.get("postcode")}
    return {part: (held[part] or BLANK_PART[part], recorded_at) for part in entitled}


@dataclass(frozen=True)
class _PartStatement:
    rank: int
    value: Any
    at: datetime
    together: dict[str, Any]  # every part the source said at that moment, this one too


def _repeats_replaced(together: dict[str, Any], pin: CorrectionPin) -> bool:
    """Do the parts a source said at one moment all repeat a value an accepted correction replaced?

    A source speaks only for the parts it states (a census: the postcode), so a census repeating the
    postcode a correction replaced has said nothing new, whatever the other parts now hold.
    """
    return bool(together) and any(
        isinstance(old, dict) and all(_part(old, part) == said for part, said in together.items())
        for old in pin.replaced_before
    )


def _address_displayed(
    rows: list[FieldProvenance], sealer: Sealer, pin: CorrectionPin | None, held: Address | None
) -> Any:
    """The address shown: each part from the most trusted source that stated it (the latest among
    equals), or the correction's part where that statement is older than the correction or repeats what a
    correction replaced, or the part held where no source stated it. All from the correction: the
    correction as accepted (its status too)."""
    stated: dict[str, list[_PartStatement]] = {part: [] for part in ALL_ADDRESS_PARTS}
    for row in rows:
        parts = _address_statement_read(sealer.unseal(row, "value"), row.source, row.recorded_at)
        for part, (said, at) in parts.items():
            together = {other: value for other, (value, when) in parts.items() if when == at}
            stated[part].append(_PartStatement(row.source.rank_for(ADDRESS), said, at, together))
    shown: dict[str, Any] = {}
    corrected: set[str] = set()
    for part, statements in stated.items():
        if not statements:
            continue
        best = min(statements, key=lambda s: (s.rank, -s.at.timestamp()))
        if pin is not None and (best.at <= pin.accepted_at or _repeats_replaced(best.together, pin)):
            corrected.add(part)
        else:
            shown[part] = best.value
    if not shown:
        return pin.value if pin is not None and corrected else None
    pinned = pin.value if pin is not None and isinstance(pin.value, dict) else {}
    kept = held.to_json() if held is not None else {}

    def base(part: str) -> dict[str, Any]:
        return pinned if part in corrected else kept

    towns_said = {s.value for s in stated["town"]}
    streets_said = {s.value for s in stated["street"]}
    street, town = shown.get("street"), shown.get("town")
    street_base, town_base = list(base("street").get("lines") or []), list(base("town").get("lines") or [])
    if street is None and town is None:
        lines: tuple[str, ...] = (
            tuple(street_base)
            if street_base == town_base
            else (
                *_base_part(street_base, "street", said_of_other=towns_said),
                *_base_part(town_base, "town", said_of_other=streets_said),
            )
        )
    else:
        lines = (
            *(street if street is not None else _base_part(street_base, "street", said_of_other=towns_said)),
            *(town if town is not None else _base_part(town_base, "town", said_of_other=streets_said)),
        )
    postcode = shown["postcode"] if "postcode" in shown else base("postcode").get("postcode")
    return Address(lines=list(lines), postcode=postcode).to_json()


def _base_part(lines: list[str], part: str, *, said_of_other: set[Any]) -> tuple[str, ...]:
    """The `part` (street or town) of lines held or corrected: of two or more lines, the street lines then
    the town (the last). A lone line could be either: it is taken as this part, the one shown from no
    statement, so a source speaking for the other part never erases it; unless a source stated it as the
    other part (it is that part, said again or said differently since)."""
    if len(lines) >= 2:
        street, town = _street_and_town(lines)
        return street if part == "street" else town
    if not lines or tuple(lines) in said_of_other:
        return ()
    return tuple(lines)


def displayed_value(
    *,
    child: Child,
    field: str,
    sealer: Sealer,
    pin: CorrectionPin | None = None,
    held: Address | None = None,
) -> Any:
    """The value the most trusted source gave for `field` (ties: the latest); None without provenance.

    `pin` is the field's latest accepted correction, if any: it stays shown over what sources said
    before it and over the value it replaced (see the module docstring). `held` is the address the record
    holds, whose parts no source stated stay shown.
    """
    rows = list(FieldProvenance.objects.filter(child=child, field=field).select_related("source"))
    return _displayed(rows, field, sealer, pin, held)


def displayed_values(
    *,
    child: Child,
    fields: list[str],
    sealer: Sealer,
    pins: dict[str, CorrectionPin],
    held: Address | None = None,
) -> dict[str, Any]:
    """`displayed_value` of each of `fields`, read in one query."""
    rows: dict[str, list[FieldProvenance]] = {name: [] for name in fields}
    for row in FieldProvenance.objects.filter(child=child, field__in=fields).select_related("source"):
        rows[row.field].append(row)
    return {name: _displayed(rows[name], name, sealer, pins.get(name), held) for name in fields}


def _accumulate(details: ChildDetails, record: FeedRecord, issuer_id: int | None) -> list[str]:
    changed = []
    if record.nhs_number and issuer_id is not None:
        held = {(s.scheme, s.value) for s in details.source_identifiers}
        if ("nhs_number", record.nhs_number) not in held:
            details.source_identifiers.append(SourceIdentifier("nhs_number", record.nhs_number, issuer_id))
            changed.append("source_identifiers")
    if record.former_family_name:
        former = FormerName(record.given_names, record.former_family_name)
        if former not in details.former_names:
            details.former_names.append(former)
            changed.append("former_names")
    return changed


# The reason a row is refused for (`feeds.ingest`), never with either date: a row whose date of death falls
# before the date of birth the record would show with it (the row's own, or a more trusted source's).
DEATH_BEFORE_RECORDS_BIRTH = (
    "date_of_death is before the child's date of birth as the record shows it (perhaps from a more trusted "
    "source): the row was not applied"
)


class DeathBeforeBirth(Exception):
    """The row would leave the record showing a death before its date of birth (`_died_before_born`):
    nothing of it is written (the caller rolls back what `provenance_record` kept)."""


class ChildChangedSinceDecided(Exception):
    """The record was archived, closed or moved out of the source's LAs between the row's decision and
    its write (found under the row lock): the row must be decided again, never written into it."""


def child_update_from_feed(
    *,
    child: Child,
    record: FeedRecord,
    source: FeedSource,
    stated_at: datetime | None = None,
    la_ids: frozenset[int] | None = None,
) -> bool:
    """Record provenance, then show the most trusted value of each field; True if anything changed.

    The child is read again under a row lock (call inside a transaction): two feeds updating it at once
    take turns, so neither writes details (and blocking keys) built from what the other has replaced.
    `DeathBeforeBirth` if the record would then show a death before its date of birth: the provenance
    kept is the caller's to roll back (a savepoint around this call).
    """
    child = child_rows_locked().get(pk=child.pk)
    if child.status != RecordStatus.ACTIVE or (la_ids is not None and child.local_authority_id not in la_ids):
        raise ChildChangedSinceDecided
    sealer = Sealer(child.data_key)
    stored = child_details(child, sealer)  # once: the update below is given it, not reading it again
    supplied = provenance_record(
        child=child, record=record, source=source, sealer=sealer, stated_at=stated_at
    )
    updated, changed = _shown(child, stored, sealer, supplied)
    if _died_before_born(updated, changed):
        raise DeathBeforeBirth
    changed += _accumulate(updated, record, source.user.organisation_id)
    child_details_update(
        child=child, details=updated, columns=changed, by=source.user, locked=LockedChild(child, stored)
    )
    return bool(changed)


def _died_before_born(details: ChildDetails, changed: list[str]) -> bool:
    """Would the record show a death before its date of birth, either date being what this row changes?
    Each is shown by its own sources' trust order, so a row's own dates agreeing is not enough: a less
    trusted source's death (it may be the only one giving one) beside a more trusted date of birth, the
    lifecycle would archive the record for a death it could not have had. A record already so (from
    before this check) is not held against a row changing neither date."""
    if not {"date_of_birth", "date_of_death"} & set(changed):
        return False
    return details.date_of_death is not None and details.date_of_death < details.date_of_birth


def _shown(
    child: Child, stored: ChildDetails, sealer: Sealer, fields: list[str]
) -> tuple[ChildDetails, list[str]]:
    """The child's `stored` details with each of `fields` set to the value its sources and corrections
    decide (a field no source speaks of keeps its value), and the fields that changed."""
    values = stored.sealed_values()
    pins = correction_pins(child=child, fields=fields, sealer=sealer)
    changed = []
    shown_values = displayed_values(child=child, fields=fields, sealer=sealer, pins=pins, held=stored.address)
    for name, shown in shown_values.items():
        if shown is not None and shown != values[name]:
            values[name] = shown
            changed.append(name)
    return ChildDetails.from_sealed_values(values), changed
