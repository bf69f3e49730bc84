"""Blocking keys: exact strings that candidate records must share with a query.

A single mistake in any one field must still leave the right child sharing at least one key with the
query, so keys are OR-ed at several granularities, each built from a different subset of fields:

    fp   family phonetic + DOB          (given-name and postcode mistakes)
    f2   family first two letters + DOB (family typo after the second letter, phonetic change)
    fl   family first + last letter + DOB (typo in the second letter)
    l2   family last two letters + DOB  (typo in the first letter)
    gp   given phonetic + DOB           (any family-name mistake, given and family swapped)
    fg   family phonetic + given phonetic (name + given name + gender searches, no DOB)
    gf   given phonetic + family first/last letter; fg2 family phonetic + given first two letters
    pc   full postcode + family initial (hidden); pl full postcode + family last letter (hidden):
         a family typo in a name + postcode search
    fd   family phonetic + district     (hidden) postcode typo within the district
    sd   sector + DOB, dd district + DOB (hidden) partial postcodes with a DOB

A stored record is filed under its exact date of birth only; a query looks itself up under nearby dates
too (day/month swapped, one digit wrong, year off by one), but only with its phonetic family name (with
the date wrong, the name is right: one mistake at a time), so a date mistake costs about 40 extra
digests, not a large block.
Query keys come in tiers, most specific first: `exact` (the typed date, its day/month swap, the typed
postcode), `widened` (the other nearby dates) and `broad` (name keys without a date); search adds a tier
only when all of it fits under the candidate cap (`candidates_within`), and never truncates one.

Keys derived from the address are `hidden`: practitioner search must never find a shielded child
through them. A record's former postcodes (previous addresses, `Identity.former_postcodes`) are filed
under exactly the keys its current postcode is, and are hidden like them; so is every key only a former
name gives. The vault turns every key into a keyed blind index, so the database holds no guessable value.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Generic, NamedTuple, TypeVar

from matching.identity import Identity
from matching.normalise import (
    given_name_forms,
    name_forms,
    phonetic,
    postcode_granularity,
    postcode_outward,
    postcode_sector,
)

T = TypeVar("T")
_DATED_KINDS = frozenset({"fp", "f2", "fl", "l2", "gp", "sd", "dd"})
HIDDEN_KINDS = frozenset({"pc", "pl", "fd", "sd", "dd"})


class BlockingKey(NamedTuple):
    """One key: immutable and hashable (a named tuple: ~20 are made for every record filed)."""

    value: str
    hidden: bool = False

    @property
    def kind(self) -> str:
        return self.value.split("|", 1)[0]


@dataclass(frozen=True)
class QueryKeys:
    """What a query looks up, most specific tier first (see `tiers`)."""

    exact: frozenset[str]
    widened: frozenset[str]
    broad: frozenset[str] = frozenset()

    @property
    def every(self) -> frozenset[str]:
        return self.exact | self.widened | self.broad

    @property
    def tiers(self) -> tuple[frozenset[str], ...]:
        return (self.exact, self.widened, self.broad)


# Where each tier stands in `QueryKeys.tiers`.
TYPED, NEARBY_DATES, NAMES_ONLY = 0, 1, 2


@dataclass
class Candidates(Generic[T]):
    """Who shares a key with a query; `refine` when even the most specific tier is over the cap.

    `over_cap`: the tier (its place in `QueryKeys.tiers`: `NEARBY_DATES`, `NAMES_ONLY`) left out, with every
    tier after it, because it would have put the candidates over the cap; None when none was. Its children
    were never looked at: a caller that found no one must not answer "no one" (`matching.engine.find`,
    `linkage.linking.link_decide`).
    """

    found: set[T]
    tiers_used: int
    refine: bool = False
    over_cap: int | None = None


def candidates_within(
    keys: QueryKeys, lookup: Callable[[frozenset[str]], set[T]], *, cap: int
) -> Candidates[T]:
    """Widen tier by tier while the union stays within `cap`; never truncate a tier.

    The first tier (the typed values) is searched in full or not at all ("refine your search"); each
    later tier (nearby dates, then names without a date) is added only if the whole of it fits, so a
    broad tier can never crowd out the specific one. `lookup` may return more than `cap` to say "too many".
    """
    found: set[T] = set()
    used = 0
    for place, tier in enumerate(keys.tiers):
        if not tier:
            used += 1
            continue
        more = found | lookup(tier)
        if len(more) > cap:
            if used == 0:
                return Candidates(set(), 0, refine=True)
            return Candidates(found, used, over_cap=place)
        found, used = more, used + 1
    return Candidates(found, used)


@lru_cache(maxsize=4096)
def dob_variants(dob: date) -> frozenset[date]:
    """The date itself and its day/month transposition, when that is a real, different date."""
    variants = {dob}
    if dob.day <= 12 and dob.day != dob.month:
        variants.add(dob.replace(month=dob.day, day=dob.month))
    return frozenset(variants)


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day) if 1900 <= year <= 2099 else None
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def dob_neighbours(dob: date) -> frozenset[date]:
    """Dates one keying mistake away: one digit wrong, two adjacent digits swapped, year off by one.

    Excludes the date itself and its day/month swap (those are in `dob_variants`).
    """
    digits = f"{dob.year:04d}{dob.month:02d}{dob.day:02d}"
    candidates: set[str] = set()
    for i in range(8):
        for d in "0123456789":
            candidates.add(digits[:i] + d + digits[i + 1 :])
        if i < 7:
            candidates.add(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])
    found = {_real_date(int(c[:4]), int(c[4:6]), int(c[6:])) for c in candidates}
    found |= {_real_date(dob.year + step, dob.month, dob.day) for step in (-1, 1)}
    return frozenset(d for d in found if d is not None) - dob_variants(dob)


# The forms and codes below are pure functions of a few names, asked for several times per record (each
# key kind) and for every record that shares a name: cached, as `name_forms` and `phonetic` are.
@lru_cache(maxsize=50_000)
def _forms_of(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(form for name in names for form in name_forms(name))


def _family_forms(identity: Identity) -> frozenset[str]:
    return _forms_of(identity.family_names)


def _given_forms(identity: Identity, *, formal: bool) -> frozenset[str]:
    """Forms of the first given name only (with the formal names it may be short for, if `formal`)."""
    if not identity.given_names:
        return frozenset()
    first = identity.given_names[0]
    return given_name_forms(first) if formal else name_forms(first)


@lru_cache(maxsize=50_000)
def _phonetics(forms: frozenset[str]) -> frozenset[str]:
    return frozenset(code for code in (phonetic(f) for f in forms) if code)


def _dob_keys(identity: Identity, dob: date, *, formal: bool, narrow_only: bool) -> set[BlockingKey]:
    iso = dob.isoformat()
    family = _family_forms(identity)
    keys = {BlockingKey(f"fp|{c}|{iso}") for c in _phonetics(family)}
    keys |= {BlockingKey(f"gp|{c}|{iso}") for c in _phonetics(_given_forms(identity, formal=formal))}
    for postcode in identity.postcodes:
        sector = postcode_sector(postcode)
        if sector:
            keys.add(BlockingKey(f"sd|{sector}|{iso}", hidden=True))
        keys.add(BlockingKey(f"dd|{postcode_outward(postcode)}|{iso}", hidden=True))
    if not narrow_only:
        for form in family:
            keys.add(BlockingKey(f"f2|{form[:2]}|{iso}"))
            keys.add(BlockingKey(f"fl|{form[0]}{form[-1]}|{iso}"))
            keys.add(BlockingKey(f"l2|{form[-2:]}|{iso}"))
    return keys


def _name_keys(identity: Identity, *, formal: bool) -> set[BlockingKey]:
    family = _family_forms(identity)
    given = _given_forms(identity, formal=formal)
    family_codes, given_codes = _phonetics(family), _phonetics(given)
    keys = {BlockingKey(f"fg|{f}|{g}") for f in family_codes for g in given_codes}
    keys |= {BlockingKey(f"gf|{g}|{f[0]}{f[-1]}") for g in given_codes for f in family}
    keys |= {BlockingKey(f"fg2|{f}|{g[:2]}") for f in family_codes for g in given}
    for postcode in identity.postcodes:
        if postcode_granularity(postcode) == "full":
            # Never the postcode alone: the index must not group a household's children by one digest.
            keys |= {BlockingKey(f"pc|{postcode}|{f[0]}", hidden=True) for f in family}
            keys |= {BlockingKey(f"pl|{postcode}|{f[-1]}", hidden=True) for f in family}
        keys |= {BlockingKey(f"fd|{f}|{postcode_outward(postcode)}", hidden=True) for f in family_codes}
    return keys


def record_keys(identity: Identity) -> set[BlockingKey]:
    """Every key a stored record is filed under (current and former names, current and former postcodes,
    exact DOB). A former postcode gets the current postcode's keys, all hidden.

    A key only a former name gives is hidden too: a shielded child's former names are withheld like its
    address (a family that changed its name to escape someone is the shielding case), so practitioner
    search must never find the child through them. Linkage reads every key, hidden or not, so a feed row
    in the old name still meets the shielded record and goes to its LA team.
    """
    if identity.former_postcodes:
        identity = replace(identity, postcodes=(*identity.postcodes, *identity.former_postcodes))
    keys = _filed(identity)
    if len(identity.family_names) > 1 or len(identity.given_names) > 1:
        shown = {key.value for key in _filed(identity.current_names()) if not key.hidden}
        keys = {key if key.hidden or key.value in shown else key._replace(hidden=True) for key in keys}
    return keys


def _filed(identity: Identity) -> set[BlockingKey]:
    keys = _name_keys(identity, formal=False)
    if identity.date_of_birth:
        keys |= _dob_keys(identity, identity.date_of_birth, formal=False, narrow_only=False)
    return keys


def _orderings(identity: Identity) -> list[Identity]:
    """The query as typed, and with given and family names swapped (people mix up the two boxes)."""
    if not identity.given_names or not identity.family_names:
        return [identity]
    swapped = replace(identity, family_names=identity.given_names[:1], given_names=identity.family_names[:1])
    return [identity, swapped]


def _broad(key: str) -> bool:
    """Keys without a date or a full postcode in them: big blocks for common names."""
    return key.split("|", 1)[0] in {"fg", "gf", "fg2", "fd"}


def query_key_tiers(identity: Identity) -> QueryKeys:
    """Keys a query looks up, in tiers (see the module docstring and `candidates_within`).

    exact: the typed date (and its day/month swap) and postcode; when the query has neither a date nor a
    full postcode (name + given name + gender), its exact-name keys. widened: nearby dates. broad: name
    keys without a date (and family + district), only worth their size when nothing narrower was typed.
    """
    exact: set[BlockingKey] = set()
    for who in _orderings(identity):
        exact |= _name_keys(who, formal=True)
        if who.date_of_birth:
            for dob in dob_variants(who.date_of_birth):
                exact |= _dob_keys(who, dob, formal=True, narrow_only=dob != who.date_of_birth)
    # One mistake at a time: with the date wrong, the family name as typed is right, so the phonetic
    # family name is the only key worth trying at each nearby date (about 40 digests, not 600).
    widened: set[BlockingKey] = set()
    if identity.date_of_birth:
        codes = _phonetics(_family_forms(identity))
        for dob in dob_neighbours(identity.date_of_birth):
            widened |= {BlockingKey(f"fp|{c}|{dob.isoformat()}") for c in codes}
    anchored = bool(identity.date_of_birth) or any(
        postcode_granularity(p) == "full" for p in identity.postcodes
    )
    exact_values = {k.value for k in exact}
    if anchored:
        broad = {v for v in exact_values if _broad(v)}
    else:
        broad = {v for v in exact_values if _broad(v) and not v.startswith("fg|")}
    exact_values -= broad
    widened_values = {k.value for k in widened}
    if identity.date_of_birth and identity.given_names:
        # Given-name keys at the date (and the swapped-names ones) are large blocks for common first
        # names at national scale: with a family name typed too they come second, so the first tier of a
        # search with every field stays small.
        as_typed = set()
        for dob in dob_variants(identity.date_of_birth):
            keys = _dob_keys(identity, dob, formal=True, narrow_only=dob != identity.date_of_birth)
            as_typed |= {k.value for k in keys if k.kind != "gp"}
        second = {v for v in exact_values if v.split("|", 1)[0] in _DATED_KINDS and v not in as_typed}
        exact_values -= second
        widened_values |= second
    widened_values -= exact_values | broad
    return QueryKeys(frozenset(exact_values), frozenset(widened_values), frozenset(broad))


def query_keys(identity: Identity) -> set[str]:
    """Every key a query may look up (both tiers)."""
    return set(query_key_tiers(identity).every)
