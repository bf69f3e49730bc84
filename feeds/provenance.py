"""Per-field provenance and the source-trust order that decides which value a child record displays.

Every value a source supplies for a displayed field is kept (sealed under the child's key) with the
source and the time. The displayed value is the one from the most trusted source for that field
(`FeedSource.rank_for`, lower wins), the most recent among equals. A value entered before any feed
supplied that field has no provenance and yields to the first source that does.
A value the owning LA team accepted as a correction is displayed over what sources said before it,
and over the value it replaced (or any an earlier correction replaced) however often a source sends
that again; a source that later sends a different value (the child moved, say) is displayed again, by
the same trust order. A source entitled to part of an address only is judged on that part: a census
repeating the postcode a correction replaced does not undo it.
Identifiers and former names accumulate instead: a new one is added, none is dropped.
"""

from dataclasses import replace
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
    a field on which the source has said something newer since keeps that newer statement.
    Two statements whatever the number of fields: the source's rows for the child are read at once (none
    to read for a child just created) and the new ones inserted at once.
    """
    now = stated_at or timezone.now()
    values = record.display_values()
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
        if name in held and held[name].recorded_at > now:
            continue  # the source's newer word on this field stands
        row = held.get(name) or FieldProvenance(child=child, field=name, source=source)
        row.recorded_at = now
        sealer.seal(row, "value", value)
        if name in held:
            row.save(update_fields=["recorded_at", "value"])
        else:
            added.append(row)
    FieldProvenance.objects.bulk_create(added)
    return list(values)


def _displayed(rows: list[FieldProvenance], field: str, sealer: Sealer, pin: CorrectionPin | None) -> Any:
    if not rows:
        return None
    best = min(rows, key=lambda r: (r.source.rank_for(field), -r.recorded_at.timestamp()))
    said = sealer.unseal(best, "value")
    if pin is not None and (
        best.recorded_at <= pin.accepted_at or _repeats_replaced(said, field, best.source, pin)
    ):
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


def _repeats_replaced(said: Any, field: str, source: FeedSource, pin: CorrectionPin) -> bool:
    """Does `said` repeat a value an accepted correction replaced, in what `source` speaks for?

    A source entitled to part of an address (a census: postcodes only; a register: the town only) states
    that part with the parts held filled in (`_address_parts_within_entitlement`), so after a correction
    its repeated postcode comes combined with the corrected lines: a value never replaced, though the
    source has said nothing new. Its statement is compared on its own parts only.
    """
    if said in pin.replaced_before:
        return True
    parts = _address_parts(source)
    if field != "address" or not isinstance(said, dict) or parts == ALL_ADDRESS_PARTS:
        return False
    return any(
        isinstance(old, dict) and all(_part(said, part) == _part(old, part) for part in parts)
        for old in pin.replaced_before
    )


def displayed_value(*, child: Child, field: str, sealer: Sealer, pin: CorrectionPin | None = None) -> Any:
    """The value the most trusted source gave for `field` (ties: the latest); None without provenance.

    `pin` is the field's latest accepted correction, if any: it stays shown over what sources said
    before it and over the value it replaced (see the module docstring).
    """
    rows = list(FieldProvenance.objects.filter(child=child, field=field).select_related("source"))
    return _displayed(rows, field, sealer, pin)


def displayed_values(
    *, child: Child, fields: list[str], sealer: Sealer, pins: dict[str, CorrectionPin]
) -> dict[str, Any]:
    """`displayed_value` of each of `fields`, read in one query."""
    rows: dict[str, list[FieldProvenance]] = {name: [] for name in fields}
    for row in FieldProvenance.objects.filter(child=child, field__in=fields).select_related("source"):
        rows[row.field].append(row)
    return {name: _displayed(rows[name], name, sealer, pins.get(name)) for name in fields}


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
    """
    child = child_rows_locked().get(pk=child.pk)
    if child.status != RecordStatus.ACTIVE or (la_ids is not None and child.local_authority_id not in la_ids):
        raise ChildChangedSinceDecided
    sealer = Sealer(child.data_key)
    stored = child_details(child, sealer)  # once: the update below is given it, not reading it again
    record = _address_parts_within_entitlement(record, source, held=stored.address)
    supplied = provenance_record(
        child=child, record=record, source=source, sealer=sealer, stated_at=stated_at
    )
    updated, changed = _shown(child, stored, sealer, supplied)
    changed += _accumulate(updated, record, source.user.organisation_id)
    child_details_update(
        child=child, details=updated, columns=changed, by=source.user, locked=LockedChild(child, stored)
    )
    return bool(changed)


def _address_parts_within_entitlement(record: FeedRecord, source: FeedSource, *, held: Address) -> FeedRecord:
    """A source speaks only for the address parts it is entitled to: a census entitled to postcodes
    says nothing about the street or town, so its statement keeps the lines held; a source entitled to
    the town only keeps the street held, one entitled to the street only keeps the town held, and one not
    entitled to the postcode keeps the postcode held. Before, each blanked what it could not send.
    A part the source is entitled to but left out is its to leave out (docs/DECISIONS.md section 7)."""
    if not (record.address_lines or record.postcode):
        return record  # no address statement at all
    parts = _address_parts(source)
    if parts == ALL_ADDRESS_PARTS:
        return record  # the usual source
    return replace(
        record,
        address_lines=_lines_within_entitlement(record.address_lines, parts, held=held.lines),
        postcode=record.postcode if "postcode" in parts else held.postcode,
    )


def _lines_within_entitlement(
    said: tuple[str, ...], parts: tuple[str, ...], *, held: list[str]
) -> tuple[str, ...]:
    """The street and town lines of a statement from a source entitled to `parts`: its own word on the
    part(s) it speaks for (a row can carry no other: `access.policy.feed_row_decide`), the held line(s)
    for the rest."""
    speaks_for_street, speaks_for_town = "street" in parts, "town" in parts
    if speaks_for_street and speaks_for_town:
        return said
    if not (speaks_for_street or speaks_for_town):
        return tuple(held)
    street, town = _held_street_and_town(held, kept="town" if speaks_for_street else "street", said=said)
    return (*said, *town) if speaks_for_street else (*street, *said)


def _held_street_and_town(
    held: list[str], *, kept: str, said: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The held lines split into street lines and town (the last of two or more lines).

    A lone held line could be either (a row that carried one of them): it is taken as the `kept` part,
    the one the source may not speak for, so it is never erased by a source that cannot know it; unless
    it is what the source says now, when it is the source's own part restated.
    """
    if len(held) >= 2:
        return _street_and_town(held)
    if not held or tuple(held) == said:
        return (), ()
    return (tuple(held), ()) if kept == "street" else ((), tuple(held))


def _shown(
    child: Child, stored: ChildDetails, sealer: Sealer, fields: list[str]
) -> tuple[ChildDetails, list[str]]:
    """The child's `stored` details with each of `fields` set to the value its sources and corrections
    decide (a field no source speaks of keeps its value), and the fields that changed."""
    values = stored.sealed_values()
    pins = correction_pins(child=child, fields=fields, sealer=sealer)
    changed = []
    for name, shown in displayed_values(child=child, fields=fields, sealer=sealer, pins=pins).items():
        if shown is not None and shown != values[name]:
            values[name] = shown
            changed.append(name)
    return ChildDetails.from_sealed_values(values), changed
