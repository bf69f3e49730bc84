"""Who shares a parent or carer: blind-index keys of a carer's normalised name with each contact.

A family is matched on name + phone or name + email, never on an address alone (a block of flats, a
refuge or a hostel houses many unrelated families). The keys are HMACs under the index key
(`vault.blind_index`), so the table says nothing to anyone holding only the database.
"""

import unicodedata
from typing import Any

from django.db import connection
from django.db.models import Q

from audit.services import event_record
from audit.tags import AuditTag
from children.models import Carer, Child, Involvement
from coordination.models import CarerKey, Match, MatchKind
from coordination.sensitivity import involvement_sensitive
from matching.normalise import fold
from vault.blind_index import blind_index
from vault.sealing import Sealer

CARER_PURPOSE = "coordination-carer"
# Namespace of the advisory locks taken per carer key (PostgreSQL's two-integer form; any int4).
CARER_LOCK_SPACE = 0x43505F43
# A UK number written internationally, as digits: "+44 7700 900123", "+44 (0)7700 900123" and
# "0044 7700 900123" (with or without the "(0)"), each followed by the 10 digits after the national "0".
_UK_INTERNATIONAL_PREFIXES = ("00440", "0044", "440", "44")


def normalised_phone(phone: str | None) -> str | None:
    """ASCII digits only, UK numbers in their national form (+44 7700, +44 (0)7700 and 0044 7700 -> 07700);
    too short to be a number: None.

    Any script's decimal digits count as the digits they are (a phone's full-width keyboard types
    U+FF10 for 0): a regular expression's "not a digit" kept them as they were typed, so the same mother's number
    filed another key and her children were never matched as one family. Other characters that are
    numbers but not decimal digits (superscripts, circled digits) are dropped, as any other character."""
    digits = "".join(str(unicodedata.decimal(ch)) for ch in phone or "" if ch.isdecimal())
    for prefix in _UK_INTERNATIONAL_PREFIXES:
        if digits.startswith(prefix) and len(digits) == len(prefix) + 10:
            digits = "0" + digits[len(prefix) :]
            break
    return digits if len(digits) >= 10 else None


def normalised_email(email: str | None) -> str | None:
    """Compatibility-folded (a full-width U+FF20 is "@") and lower case, as one key for one address."""
    value = unicodedata.normalize("NFKC", email or "").strip().lower()
    return value if "@" in value else None


def carer_digests(*, name: str, phone: str | None, email: str | None) -> set[int]:
    folded = fold(name)
    if not folded:
        return set()
    contacts = [f"phone:{p}" for p in [normalised_phone(phone)] if p]
    contacts += [f"email:{e}" for e in [normalised_email(email)] if e]
    return {blind_index(CARER_PURPOSE, f"{folded}\x1f{contact}") for contact in contacts}


def carer_keys_refresh(*, child: Child) -> set[int]:
    """Recompute the child's carer keys from its sealed carers (called when an involvement is recorded).

    Keys are written lazily, so two siblings' first recordings could each miss the other's uncommitted
    keys. On PostgreSQL each key is therefore locked (in order, till the transaction ends) before it is
    written or read, and so is each key it replaces: the second recording waits and then sees the first.
    SQLite runs one writer at a time.
    """
    digests = child_carer_digests(child=child)
    if connection.vendor == "postgresql":
        # The keys being replaced too: a carer detail corrected away must not be matched through by a
        # sibling's recording until this transaction ends (its matches are withdrawn in it).
        replaced = set(CarerKey.objects.filter(child=child).values_list("digest", flat=True))
        with connection.cursor() as cursor:
            for lock in sorted({d % 2**31 for d in digests | replaced}):
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CARER_LOCK_SPACE, lock])
    CarerKey.objects.filter(child=child).delete()
    CarerKey.objects.bulk_create([CarerKey(child=child, digest=d) for d in sorted(digests)])
    return digests


def child_carer_digests(*, child: Child) -> set[int]:
    """The carer keys the child's sealed carers make now, computed only: nothing locked or written."""
    sealer = Sealer(child.data_key)
    digests: set[int] = set()
    for carer in Carer.objects.filter(child=child):
        digests |= carer_digests(
            name=sealer.unseal(carer, "name") or "",
            phone=sealer.unseal(carer, "phone"),
            email=sealer.unseal(carer, "email"),
        )
    return digests


def family_child_ids(*, child: Child, digests: set[int]) -> set[object]:
    """Other children indexed with any of these carer keys."""
    if not digests:
        return set()
    return set(
        CarerKey.objects.filter(digest__in=digests).exclude(child=child).values_list("child_id", flat=True)
    )


def matches_untrue_withdraw(*, children: list[Child]) -> int:
    """Withdraw the matches of these children that their records no longer bear out: a "same child"
    match whose two involvements are now with different children (an unmerge), and a family match whose
    two children no longer share a carer (an unmerge gave the joining carer back, or a correction showed
    the carer's contact was wrong). Their practitioners may no longer be told of each other, nor choose
    the other child's lead professional; the notices and offers go with the match. Call once the
    children's carer keys are rebuilt; returns how many were withdrawn, for the caller's audit event.

    Each withdrawal is audited under both children (`_withdrawal_record`): the caller's event names one
    only, and the other child's trail would otherwise end at a match made."""
    involvements = Involvement.objects.filter(child__in=children).values_list("pk", flat=True)
    untrue = []
    for match in (
        Match.objects.filter(Q(first_id__in=involvements) | Q(second_id__in=involvements))
        .select_related(
            "first__child__data_key",
            "first__recorded_by__organisation",
            "second__child__data_key",
            "second__recorded_by__organisation",
        )
        .distinct()
    ):
        one, other = match.first.child_id, match.second.child_id
        if (match.kind == MatchKind.CLIENT and one != other) or (
            match.kind == MatchKind.FAMILY and not _share_a_carer(one, other)
        ):
            _withdrawal_record(match)
            untrue.append(match.pk)
    Match.objects.filter(pk__in=untrue).delete()
    return len(untrue)


def _withdrawal_record(match: Match) -> None:
    """One event under each child of the match, keeping what the subject access report needs once the
    row is gone: whether a side was a sensitive service, and who recorded each side (a report withholds
    entries about a match with a sensitive service; without this it could no longer tell, and told).
    The service withdraws, not the person whose decision caused it (as `MatchNotified`): their
    organisation would otherwise appear in the other child's report."""
    sides = (match.first, match.second)
    for child_id in {side.child_id for side in sides}:
        event_record(
            tag=AuditTag.MatchWithdrawn,
            actor=None,
            child_id=child_id,
            additional={
                "match_id": match.pk,
                "kind": match.kind,
                "recorded_by_ids": [side.recorded_by_id for side in sides],
                "sensitive_side": any(involvement_sensitive(side) for side in sides),
            },
        )


def _share_a_carer(one: Any, other: Any) -> bool:
    held = set(CarerKey.objects.filter(child_id=one).values_list("digest", flat=True))
    return CarerKey.objects.filter(child_id=other, digest__in=held).exists()
