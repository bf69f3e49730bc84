"""Scoring by weight of evidence: a Fellegi-Sunter model applied in-process.

Each field the query supplies is compared at one *level* (family name: exact, sounds the same, similar
by Jaro-Winkler band, different; date of birth: exact, day/month swapped, one digit, year off by one,
month and year only, different; ...). Each level carries m (how often a true match lands there) and u
(how often two different children do), trained with Splink on synthetic data and stored as Splink model
JSON (matching/models/). A level's weight is log2(m/u); the sum is the match weight, in bits.
Exact name agreement is term-frequency adjusted: agreeing on SMITH is weaker evidence than on a rare name;
a similar name (a Jaro-Winkler band, one letter out) is adjusted by the commoner of the two names and never
weighs more than exact agreement would (`FellegiSunterModel._similar_weight`).

Acceptance (`verdict`):
    ACCEPT_WEIGHT and above        -> "match": offered to the practitioner
    CLOSE_CALL_WEIGHT to ACCEPT    -> "close": too close to call (shown only when nothing is accepted,
                                      labelled as a possible match)
    below                          -> "non": not offered
and in every case the match must rest on a name AND a non-name anchor (date of birth, postcode (one
agreeing only in its sector, only beside a date of birth that agrees), or given name with gender) among
the fields the scorer may use, so a shielded child (scored with `use_hidden=False`, its address ignored)
can never be offered on the strength of a postcode.

Lookup and scoring normalise names with the same function (`normalise.name_forms`; scoring leaves out
a one-letter part, `compared_forms`).
"""

import json
import math
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from matching.blocking import dob_neighbours, dob_variants
from matching.identity import Identity
from matching.normalise import (
    formal_names,
    name_forms,
    phonetic,
    postcode_granularity,
    postcode_outward,
    postcode_sector,
    primary_form,
)

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_VERSION = "fs-v1"
# Bits of evidence (sum of log2(m/u)); chosen on the search-quality benchmark (docs/BENCHMARKS.md).
ACCEPT_WEIGHT = 14.0
CLOSE_CALL_WEIGHT = 10.0
DOMINANCE_BITS = 3.0  # offers this far below the best one are dropped (twins and namesakes tie, so stay)
CLOSE_CALL_MAX = 2  # more close calls than this, and no match: "refine your search"
# A candidate not offered, but with this much evidence and nothing searched disagreeing outright, makes
# a search with no offers answer "no close match: add detail" instead of "no children found" (`near_miss`).
NEAR_MISS_WEIGHT = 6.0
SWAP_PENALTY = 1.0
# A level never seen in training (no true match with a wrong gender, say) is rare, not impossible.
PROBABILITY_FLOOR = 1e-3
U_FLOOR = 1e-7  # given and family typed in each other's boxes: slightly weaker evidence

T = TypeVar("T")

FIELDS = ("family_name", "given_name", "dob", "postcode", "gender")
NAME_BANDS = ((0.92, "jw_high"), (0.85, "jw_mid"), (0.75, "jw_low"))
# Below the Jaro-Winkler bands: one transposed, dropped or added letter (FOX/FXO, COX/OX). Jaro-Winkler
# matches letters only within a window that is zero for three-letter names, so such a slip in a short
# name scores "else" however alike. Scored only by a model trained with this level (fs-v3 on).
EDIT_LEVEL = "dl1"
EDIT_MIN_LENGTH = 3  # not "O" (of O'Brien) against "OX": the longer name has at least three letters
DOB_ANCHORS = frozenset({"exact", "swapped", "one_digit", "year_off"})
POSTCODE_ANCHORS = frozenset({"full", "sector"})
GIVEN_ANCHORS = frozenset({"exact", "nickname", "phonetic", "jw_high"})

WHY = {
    ("family_name", "exact"): "family name matches",
    ("family_name", "phonetic"): "family name sounds the same",
    ("family_name", "jw_high"): "family name similar",
    ("family_name", "jw_mid"): "family name similar",
    ("family_name", "jw_low"): "family name partly similar",
    ("family_name", EDIT_LEVEL): "family name one letter out",
    ("family_name", "else"): "family name differs",
    ("given_name", "exact"): "given name matches",
    ("given_name", "nickname"): "given name is a familiar form",
    ("given_name", "phonetic"): "given name sounds the same",
    ("given_name", "jw_high"): "given name similar",
    ("given_name", "jw_mid"): "given name similar",
    ("given_name", "jw_low"): "given name partly similar",
    ("given_name", EDIT_LEVEL): "given name one letter out",
    ("given_name", "else"): "given name differs",
    ("dob", "exact"): "date of birth matches",
    ("dob", "swapped"): "date of birth day and month swapped",
    ("dob", "one_digit"): "date of birth one digit different",
    ("dob", "year_off"): "year of birth one out",
    ("dob", "month_year"): "month and year of birth match",
    ("dob", "else"): "date of birth differs",
    ("postcode", "full"): "postcode matches",
    ("postcode", "sector"): "same postcode sector",
    ("postcode", "district"): "same postcode district",
    ("postcode", "else"): "postcode differs",
    # The query's postcode agrees with a previous address rather than the current one.
    ("postcode_former", "full"): "postcode matches a previous address",
    ("postcode_former", "sector"): "same postcode sector as a previous address",
    ("postcode_former", "district"): "same postcode district as a previous address",
    ("gender", "exact"): "gender matches",
    ("gender", "else"): "gender differs",
}


def why_without_address(why: str) -> str:
    """A "why offered" line less what it says about the address: for a child shielded since the line was
    written (a results page shown again). Every address part of `WHY` names the postcode."""
    parts = [part for part in why.split(", ") if "postcode" not in part.lower()]
    return ", ".join(parts).capitalize()


@dataclass(frozen=True)
class Level:
    m: float
    u: float

    @cached_property
    def weight(self) -> float:
        return math.log2(self.m / self.u)


@dataclass(frozen=True)
class FellegiSunterModel:
    """m/u per (field, level), the prior, and term frequencies for exact name agreement."""

    version: str
    prior: float
    levels: dict[str, dict[str, Level]]
    term_frequencies: dict[str, dict[str, float]] = field(default_factory=dict)

    def weight(self, name: str, level: str, *, value: str | tuple[str, ...] | None = None) -> float:
        """The level's weight in bits, adjusted for how common the agreeing name is.

        `value` is the agreeing form (exact, phonetic code) or, for a similar-name level, the pair of
        forms that came closest (`family_level`, `given_level`).
        """
        chosen = self.levels[name][level]
        if isinstance(value, tuple):
            return self._similar_weight(name, chosen, value)
        table = {"exact": name, "phonetic": f"{name}_phonetic"}.get(level)
        if table and value is not None:
            tf = self.term_frequencies.get(table, {}).get(value)
            if tf is not None:
                # Splink's adjustment: replace the level's average u by this value's frequency.
                return math.log2(chosen.m / max(tf, chosen.u / 50))
        return chosen.weight

    def _similar_weight(self, name: str, chosen: Level, pair: tuple[str, ...]) -> float:
        """A similar-name level's weight, never more than exact agreement on the names compared.

        Without it, SMITQ against SMITH (7.4 bits, a Jaro-Winkler band) outweighed SMITH against SMITH
        (4.2 bits, exact but common), so a search for a Smith ranked a near-namesake above the Smiths and
        the dominance rule could drop the right child. As Splink adjusts a fuzzy level
        (`tf_adjustment_column` on the level), the adjustment is u(exact) over the more common of the two
        names' frequencies, here only ever downwards (an unknown or rare name keeps the level's weight);
        and the result is capped at the exact weight of either name, so one slip is never stronger
        evidence than no slip.
        """
        table = self.term_frequencies.get(name, {})
        known = [v for v in pair if v in table]
        if not known:
            return chosen.weight
        # The commoner name gives both the adjustment and the cap (its exact agreement weighs least).
        common = max(known, key=table.__getitem__)
        adjusted = chosen.weight + min(0.0, math.log2(self.levels[name]["exact"].u / table[common]))
        return min(adjusted, self.weight(name, "exact", value=common))

    def merged(self, name: str, levels: tuple[str, ...]) -> Level:
        """One coarser level standing for several (a district-only query cannot tell them apart)."""
        parts = [self.levels[name][lv] for lv in levels]
        return Level(m=sum(p.m for p in parts), u=sum(p.u for p in parts))


class ModelInvalid(ValueError):
    """A matching model holding a value that is no probability (NaN, infinite, outside 0 to 1)."""


def _probability(value: Any, where: str, *, open_interval: bool = False) -> float:
    """`value` as a float if it is a probability (strictly between 0 and 1 with `open_interval`), else
    `ModelInvalid` naming `where`. NaN and infinities fail every comparison, so `max(value, FLOOR)` let NaN
    through and every weight touching it was NaN: every comparison with it False, every candidate "non"."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    inside = 0.0 < number < 1.0 if open_interval else 0.0 <= number <= 1.0
    if not (math.isfinite(number) and inside):
        raise ModelInvalid(f"matching model: {where} is {value!r}, not a probability; retrain the model")
    return number


def check_splink_model(
    settings: dict[str, Any], term_frequencies: dict[str, dict[str, float]] | None = None
) -> None:
    """Raise `ModelInvalid` if any m or u probability, the prior or a term frequency of a Splink model is
    not a probability. A level never estimated (no value, or null) is floored by `model_from_splink`, as
    it always was. For a writer to call before it saves a model (`train_matcher`)."""
    _probability(
        settings["probability_two_random_records_match"],
        "probability_two_random_records_match",
        open_interval=True,
    )
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            for key in ("m_probability", "u_probability"):
                if level.get(key) is not None:
                    _probability(level[key], f"{name} level {level.get('label_for_charts')!r} {key}")
    for column, table in (term_frequencies or {}).items():
        for value in table.values():
            _probability(value, f"a term frequency of {column}")


def model_from_splink(
    settings: dict[str, Any], term_frequencies: dict[str, dict[str, float]]
) -> FellegiSunterModel:
    """Read a Splink model JSON: each comparison's levels by their chart label, null levels skipped.

    Refused (`ModelInvalid`) if any value is not a probability (`check_splink_model`): a model is trusted
    wholesale by every search and feed row, so a bad one stops when it is read, never silently at a search.
    """
    check_splink_model(settings, term_frequencies)
    levels: dict[str, dict[str, Level]] = {}
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        levels[name] = {
            level["label_for_charts"]: Level(
                m=max(float(level.get("m_probability") or 0.0), PROBABILITY_FLOOR),
                u=max(float(level.get("u_probability") or 0.0), U_FLOOR),
            )
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level")
        }
    return FellegiSunterModel(
        version=str(settings.get("model_version", MODEL_VERSION)),
        prior=float(settings["probability_two_random_records_match"]),
        levels=levels,
        term_frequencies=term_frequencies,
    )


@lru_cache(maxsize=4)
def load_model(version: str = MODEL_VERSION) -> FellegiSunterModel:
    """The versioned model in matching/models/: `<version>.json` (Splink) and `<version>-tf.json`."""
    settings = json.loads((MODEL_DIR / f"{version}.json").read_text())
    tf_path = MODEL_DIR / f"{version}-tf.json"
    term_frequencies = json.loads(tf_path.read_text()) if tf_path.exists() else {}
    return replace(model_from_splink(settings, term_frequencies), version=version)


@dataclass
class MatchScore:
    """The match weight (bits), each compared field's level, and whether names were taken swapped."""

    weight: float
    levels: dict[str, str] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    swapped: bool = False
    verdict: str = "non"
    # The postcode level was reached through a former postcode (never set when the address is not used).
    postcode_former: bool = False
    # Fewest letter edits between the given names, kept when they are only similar (a Jaro-Winkler band):
    # a slip is one edit, a sibling's name (Amelia and Amira) usually more (`linkage.linking.possible_sibling`).
    given_edits: int | None = None

    @property
    def total(self) -> float:
        return self.weight

    def why(self) -> str:
        """A short per-field agreement line for the practitioner, e.g. 'family name similar, DOB swapped'."""
        parts = ["given and family names swapped"] if self.swapped else []
        parts += [
            WHY[
                (
                    "postcode_former" if name == "postcode" and self.postcode_former else name,
                    self.levels[name],
                )
            ]
            for name in FIELDS
            if name in self.levels
        ]
        return ", ".join(parts).capitalize()


def _jw_band(best: float) -> str:
    for floor, label in NAME_BANDS:
        if best >= floor:
            return label
    return "else"


def _best_jw(query: frozenset[str], candidate: set[str]) -> float:
    return _closest_pair(query, candidate)[0]


def _comparable(q: str, c: str) -> bool:
    """Are two forms alike enough in length to be one name typed two ways? Not if one is less than half
    the length of the other: a slip, or a spelling that sounds the same, keeps a name's length."""
    return min(len(q), len(c)) * 2 >= max(len(q), len(c))


def _sounds_alike(query: frozenset[str], candidate: set[str]) -> set[str]:
    """The phonetic codes a query form shares with a candidate form of comparable length (`_comparable`).

    NYSIIS codes a lone letter as itself, and SHAH and SHAW as S too, so without the length rule "S"
    with a date of birth listed every Shah and Shaw born that day ("sounds the same"), "M" every Moss and
    Miah: one letter answered for the family name a search needs."""
    return {
        code for q in query for c in candidate if _comparable(q, c) and (code := phonetic(q)) == phonetic(c)
    }


def _closest_pair(query: frozenset[str], candidate: set[str]) -> tuple[float, tuple[str, str] | None]:
    """The highest Jaro-Winkler similarity between the two sets of forms, and the pair that reaches it.

    A form less than half the length of the other is never similar to it (`_comparable`): Jaro-Winkler
    rewards a shared prefix, so "T" or "TH" scored "partly similar" to every Taylor and Thornton, and one
    letter with a postcode listed the children of a household as matches."""
    best, pair = 0.0, None
    for q in sorted(query):
        for c in sorted(candidate):
            if not _comparable(q, c):
                continue
            similarity = JaroWinkler.normalized_similarity(q, c)
            if similarity > best:
                best, pair = similarity, (q, c)
    return best, pair


def _similar_band(
    query: frozenset[str], candidate: set[str], *, edit_level: bool
) -> tuple[str, tuple[str, str] | None]:
    """The Jaro-Winkler band, or failing every band, one letter out (if the model has that level), and
    the pair of forms compared (for the term-frequency adjustment; None when they differ outright)."""
    similarity, pair = _closest_pair(query, candidate)
    band = _jw_band(similarity)
    if band != "else":
        return band, pair
    if edit_level:
        for q in sorted(query):
            for c in sorted(candidate):
                if (
                    max(len(q), len(c)) >= EDIT_MIN_LENGTH
                    and DamerauLevenshtein.distance(q, c, score_cutoff=1) <= 1
                ):
                    return EDIT_LEVEL, (q, c)
    return "else", None


@lru_cache(maxsize=4096)
def compared_forms(name: str) -> frozenset[str]:
    """The forms of a name that can agree (`normalise.name_forms`) less any one-letter part: the "O" of
    O'Brien and O'Neil, the "D" of D'Souza and D'Arcy, is not a name, and agreeing on it made two different
    names "exact". A name that is only one letter (an initial) keeps it. Blocking still files the parts."""
    whole = primary_form(name)
    return frozenset(form for form in name_forms(name) if len(form) > 1 or form == whole)


@lru_cache(maxsize=4096)
def compared_formal_forms(name: str) -> frozenset[str]:
    """The compared forms of a given name (`compared_forms`) and the formal names each may be short for.

    Not `normalise.given_name_forms`, which keeps one-letter parts (blocking files them): sharing the D of
    D'Angelo and D'Arcy, or a middle initial, made two different given names "a familiar form" of each
    other, an anchor beside the family name and gender."""
    return frozenset(formal for form in compared_forms(name) for formal in formal_names(form))


def _all_compared_forms(names: tuple[str, ...]) -> set[str]:
    """The compared forms of every one of a record's names (a name agrees if any of them does)."""
    return {form for name in names for form in compared_forms(name)}


def _longest(forms: set[str] | frozenset[str]) -> str:
    """The longest agreeing form (the whole name rather than one part of it), the same in every process:
    its term frequency sets the weight, and set order varies with Python's per-process hash seed."""
    return max(forms, key=lambda form: (len(form), form))


# The two name levels are pure functions of a few strings, and a large block is mostly the same few names
# (a name-only search scores hundreds of children called the same): cached, as `phonetic` is. Small: one
# search's names fit, and linking a large file must not grow memory with its distinct names.
NAME_LEVEL_CACHE = 64


@lru_cache(maxsize=NAME_LEVEL_CACHE)
def family_level(
    query: str, candidates: tuple[str, ...], *, edit_level: bool = False
) -> tuple[str, str | tuple[str, str] | None]:
    """The agreement level of a family name with any of a record's family names, and the agreeing form
    (or for a similar-name level, the closest pair of forms: its term-frequency adjustment reads both)."""
    q_forms, c_forms = compared_forms(query), _all_compared_forms(candidates)
    exact = q_forms & c_forms
    if exact:
        return "exact", _longest(exact)
    codes = _sounds_alike(q_forms, c_forms)
    if codes:
        return "phonetic", _longest(codes)
    return _similar_band(q_forms, c_forms, edit_level=edit_level)


@lru_cache(maxsize=NAME_LEVEL_CACHE)
def given_level(
    query: str, candidates: tuple[str, ...], *, edit_level: bool = False
) -> tuple[str, str | tuple[str, str] | None]:
    """The agreement level of a given name with any of a record's given names (nicknames included), and
    the agreeing form or closest pair of forms, as for `family_level`."""
    q_forms, c_forms = compared_forms(query), _all_compared_forms(candidates)
    exact = q_forms & c_forms
    if exact:
        return "exact", _longest(exact)
    q_formal = compared_formal_forms(query)
    c_formal = {g for name in candidates for g in compared_formal_forms(name)}
    if q_formal & c_formal:
        return "nickname", None
    codes = _sounds_alike(q_forms, c_forms)
    if codes:
        return "phonetic", _longest(codes)
    band, pair = _similar_band(q_forms, c_forms, edit_level=edit_level)
    # A familiar form on one side, a slip on the other (Seb and Seastian): one mistake in each record.
    # Scored with the one-letter-out level (fs-v3 on), so fs-v1 and fs-v2 score as they were measured.
    familiar = bool(q_formal - q_forms or c_formal - c_forms)
    if band == "else" and edit_level and familiar and _jw_band(_best_jw(q_formal, c_formal)) == "jw_high":
        return "nickname", None
    return band, pair


def dob_level(query: Identity, candidate: Identity) -> str | None:
    q, c = query.date_of_birth, candidate.date_of_birth
    if q is None or c is None:
        return None
    if q == c:
        return "exact"
    if c in dob_variants(q):
        return "swapped"
    if q.month == c.month and q.day == c.day and abs(q.year - c.year) == 1:
        return "year_off"
    if c in dob_neighbours(q):
        return "one_digit"
    if q.year == c.year and q.month == c.month:
        return "month_year"
    return "else"


def postcode_level(query: Identity, candidate: Identity) -> tuple[str, tuple[str, ...]] | None:
    """The best agreement of a (possibly partial) query postcode, and which trained levels it stands for."""
    if not query.postcodes or not candidate.postcodes:
        return None
    best: str = "else"
    merged: tuple[str, ...] = ("else",)
    stands_for: tuple[str, ...]
    order = {"else": 0, "district": 1, "sector": 2, "full": 3}
    for q in query.postcodes:
        granularity = postcode_granularity(q)
        for c in candidate.postcodes:
            if granularity == "full" and q == c:
                level, stands_for = "full", ("full",)
            elif granularity != "district" and postcode_sector(q) == postcode_sector(c):
                level = "sector"
                stands_for = ("full", "sector") if granularity == "sector" else ("sector",)
            elif postcode_outward(q) == postcode_outward(c):
                level = "district"
                stands_for = ("full", "sector", "district") if granularity == "district" else ("district",)
            else:
                continue
            if order[level] > order[best]:
                best, merged = level, stands_for
    return best, merged


def postcode_level_with_former(
    query: Identity, candidate: Identity
) -> tuple[tuple[str, tuple[str, ...]] | None, bool]:
    """The best of `postcode_level` against the current and the former postcodes; True when a former one
    agrees better than the current one. A former postcode weighs what the current one would (same levels).

    A former postcode only ever agrees: one differing says nothing (the child moved), so with no current
    postcode held (no known address, left England) the postcode is not compared, as before former
    postcodes were kept. Counted as "differs", it cost a child with only previous postcodes some 10 bits
    for any other postcode typed, and its "why" line had no words for it (a server error).
    """
    current = postcode_level(query, candidate)
    if not candidate.former_postcodes:
        return current, False
    former = postcode_level(query, replace(candidate, postcodes=candidate.former_postcodes))
    order = {"else": 0, "district": 1, "sector": 2, "full": 3}
    if former and former[0] != "else" and (current is None or order[former[0]] > order[current[0]]):
        return former, True
    return current, False


def _score_ordering(
    model: FellegiSunterModel, query: Identity, candidate: Identity, *, use_hidden: bool
) -> MatchScore:
    levels: dict[str, str] = {}
    weights: dict[str, float] = {}
    if query.family_name:
        edits = EDIT_LEVEL in model.levels["family_name"]
        level, value = family_level(query.family_name, candidate.family_names, edit_level=edits)
        levels["family_name"] = level
        weights["family_name"] = model.weight("family_name", level, value=value)
    if query.given_name and candidate.given_names:
        edits = EDIT_LEVEL in model.levels["given_name"]
        level, value = given_level(query.given_name, candidate.given_names, edit_level=edits)
        levels["given_name"] = level
        weights["given_name"] = model.weight("given_name", level, value=value)
    dob = dob_level(query, candidate)
    if dob:
        levels["dob"] = dob
        weights["dob"] = model.weight("dob", dob)
    postcode, former = postcode_level_with_former(query, candidate) if use_hidden else (None, False)
    if postcode:
        level, stands_for = postcode
        levels["postcode"] = level
        weights["postcode"] = (
            model.merged("postcode", stands_for).weight
            if len(stands_for) > 1
            else model.weight("postcode", level)
        )
    if (
        query.gender
        and query.gender != "not_specified"
        and candidate.gender not in (None, "", "not_specified")
    ):
        levels["gender"] = "exact" if candidate.gender == query.gender else "else"
        weights["gender"] = model.weight("gender", levels["gender"])
    return MatchScore(
        weight=round(sum(weights.values()), 3),
        levels=levels,
        weights=weights,
        postcode_former=bool(postcode) and former,
    )


def _postcode_may_anchor(levels: dict[str, str]) -> bool:
    """May a postcode agreement anchor this match? Always where the postcode agrees in full; where only
    its sector agrees (a sector typed, or a full postcode of another address in the sector), only beside
    a date of birth that agrees at some level.

    The start of a postcode is a search criterion beside a date of birth only (`children.search`). A
    sector agreeing anchored whatever else was typed, so a criterion agreeing with nobody made a family
    name and a sector enough: a given name "X" with the gender "not known", or a date of birth that
    differs outright, listed every child of a family in the sector (some 3,000 addresses) as a match. A
    full postcode that no child lives at (any two letters after the sector) is the sector and no more.
    Linkage queries (a feed row, a `link_file` row) always hold a date of birth: a record agreeing only in
    the sector with one that differs outright is a sibling or a namesake, not the child.
    """
    if levels.get("postcode") == "full":
        return True
    return levels.get("dob", "else") != "else"


def _anchored(query: Identity, match: MatchScore) -> bool:
    """A name agrees, and so does a non-name criterion the scorer was allowed to use."""
    levels = match.levels
    if levels.get("family_name", "else") == "else":
        return False
    if levels.get("dob") in DOB_ANCHORS:
        return True
    if levels.get("postcode") in POSTCODE_ANCHORS and _postcode_may_anchor(levels):
        return True
    return bool(query.gender) and levels.get("given_name") in GIVEN_ANCHORS and levels.get("gender") != "else"


def verdict(query: Identity, match: MatchScore) -> str:
    if not _anchored(query, match):
        return "non"
    if match.weight >= ACCEPT_WEIGHT:
        return "match"
    return "close" if match.weight >= CLOSE_CALL_WEIGHT else "non"


def near_miss(match: MatchScore) -> bool:
    """A candidate the search does not offer, though nothing typed rules it out: a near miss.

    "No children found" is read as "nobody else is involved", the most dangerous answer a search can
    give, so it is kept for searches where every candidate disagrees outright on something typed. A
    near miss is a candidate not offered (not anchored, or too little evidence) whose family name agrees
    at some level, whose every other compared field agrees at some level too (never "else": a different
    date of birth, postcode district or sex rules a child out), that rests on at least one field besides
    the family name, and weighs at least NEAR_MISS_WEIGHT bits. Typical cases: a child who moved within
    the postcode district typed (no date to anchor on), a misspelt given name without a date. A shielded
    child is scored without its address (`use_hidden=False`), so its address can never make a near miss.
    """
    levels = match.levels
    if match.verdict != "non" or match.weight < NEAR_MISS_WEIGHT:
        return False
    if levels.get("family_name", "else") == "else":
        return False
    others = [level for name, level in levels.items() if name != "family_name"]
    return bool(others) and "else" not in others


def fields_compared(query: Identity, *, use_hidden: bool = True) -> frozenset[str]:
    """The candidate's `Identity` fields `score` reads for `query`: all a caller needs to decrypt.

    Family names always; given names when the query has one (as typed or swapped); the date of birth,
    gender and postcodes only when the query gives them (a gender "not specified" is never compared,
    and with `use_hidden=False` the address is not either).
    """
    fields = {"family_names"}
    if query.given_name:
        fields.add("given_names")
    if query.date_of_birth:
        fields.add("date_of_birth")
    if query.gender and query.gender != "not_specified":
        fields.add("gender")
    if query.postcodes and use_hidden:
        fields.update(
            ("postcodes", "former_postcodes")
        )  # a previous address is compared like the current one
    return frozenset(fields)


def family_disagrees_outright(
    query: Identity, family_names: tuple[str, ...], *, model: FellegiSunterModel | None = None
) -> bool:
    """The record's family names disagree at every level with the query's family name and, names taken
    the other way round, with its given name: then `score` can only answer "non" and never a near miss
    (both need a family name agreeing at some level), whatever the record's other fields hold.

    A search reads a candidate's family names first and, when this is so, decrypts and scores nothing
    more of it (`not_offered`): a name-only tier is mostly children sharing only an initial or a sound.
    """
    if not query.family_name:
        return False
    model = model or load_model()
    edits = EDIT_LEVEL in model.levels["family_name"]
    if family_level(query.family_name, family_names, edit_level=edits)[0] != "else":
        return False
    swapped = _swapped(query) if query.given_name else None
    return (
        swapped is None
        or family_level(swapped.family_name or "", family_names, edit_level=edits)[0] == "else"
    )


def not_offered() -> MatchScore:
    """The score of a candidate `family_disagrees_outright` ruled out: never offered, never a near miss,
    its weight never computed."""
    return MatchScore(weight=float("-inf"), levels={"family_name": "else"}, verdict="non")


@lru_cache(maxsize=256)
def _swapped(query: Identity) -> Identity:
    """The query with given and family names taken the other way round (one per search, not per candidate)."""
    return replace(query, family_names=query.given_names[:1], given_names=query.family_names[:1])


def score(
    query: Identity, candidate: Identity, *, use_hidden: bool = True, model: FellegiSunterModel | None = None
) -> MatchScore:
    """The match weight of a candidate for a query, names taken as typed or swapped, whichever is stronger.

    Fields the query leaves out weigh nothing; with `use_hidden=False` (a shielded child) neither the
    address nor the former names are compared: a shielded child's restricted view withholds both.
    """
    model = model or load_model()
    if not use_hidden:
        candidate = candidate.current_names()
    best = _score_ordering(model, query, candidate, use_hidden=use_hidden)
    if query.given_name and query.family_name:
        swapped = _score_ordering(model, _swapped(query), candidate, use_hidden=use_hidden)
        swapped.weight = round(swapped.weight - SWAP_PENALTY, 3)
        swapped.swapped = True
        if swapped.weight > best.weight:
            best = swapped
    if query.given_name and not best.swapped and best.levels.get("given_name", "").startswith("jw_"):
        best.given_edits = given_edits(query.given_name, candidate.given_names)
    best.verdict = verdict(query, best)
    return best


def given_edits(query: str, candidates: tuple[str, ...]) -> int:
    """The fewest Damerau-Levenshtein edits between any normalised form of the given names."""
    q_forms, c_forms = compared_forms(query), _all_compared_forms(candidates)
    return min((DamerauLevenshtein.distance(q, c) for q in q_forms for c in c_forms), default=0)


@dataclass
class Offers(Generic[T]):
    """What a search offers, best first; `ambiguous` when too many close calls to list (ask to refine)."""

    items: list[tuple[T, MatchScore]]
    ambiguous: bool = False


def offers(scored: list[tuple[T, MatchScore]], *, close_call_max: int | None = None) -> Offers[T]:
    """The matches best first, or failing any, the too-close-to-call candidates if few enough to check.

    Several close calls and no match (typically a common family name with a date one digit out) cannot
    be told apart from each other: listing them would mostly show the wrong children, so the search asks
    for more detail instead.
    """
    limit = CLOSE_CALL_MAX if close_call_max is None else close_call_max
    kept = [(item, match) for item, match in scored if match.verdict != "non"]
    accepted = [(item, match) for item, match in kept if match.verdict == "match"]
    if not accepted and len(kept) > limit:
        return Offers([], ambiguous=True)
    chosen = sorted(accepted or kept, key=lambda pair: -pair[1].weight)
    # Far weaker than the best offer: 2**DOMINANCE_BITS times less likely, so not worth a practitioner's look.
    best = chosen[0][1].weight if chosen else 0.0
    return Offers([(item, match) for item, match in chosen if match.weight >= best - DOMINANCE_BITS])
