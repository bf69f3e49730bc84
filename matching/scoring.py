"""Scoring a decrypted candidate against a query: per-field agreement, then a weighted total.

`use_hidden=False` scores as if the candidate's address did not exist. It is used for shielded
children in practitioner search, so their postcode neither finds nor ranks them.
"""

from dataclasses import dataclass, field

from rapidfuzz.distance import JaroWinkler

from matching.blocking import dob_variants
from matching.identity import Identity
from matching.normalise import fold, given_name_forms, name_variants, phonetic, postcode_outward

WEIGHTS = {"family": 0.35, "given": 0.2, "dob": 0.3, "postcode": 0.1, "gender": 0.05}
FAMILY_NAME_FLOOR = 0.82
DOB_AGREES = 0.75


@dataclass
class MatchScore:
    total: float
    fields: dict[str, float] = field(default_factory=dict)

    def agrees(self, name: str, at_least: float) -> bool:
        return self.fields.get(name, 0.0) >= at_least


def family_similarity(query: str, candidates: tuple[str, ...]) -> float:
    best = 0.0
    query_variants = name_variants(query)
    for candidate in candidates:
        for cand in name_variants(candidate):
            for q in query_variants:
                sim = JaroWinkler.normalized_similarity(q, cand)
                if phonetic(q) == phonetic(cand):
                    sim = max(sim, 0.92)
                best = max(best, sim)
    return best


def given_similarity(query: str, candidates: tuple[str, ...]) -> float:
    query_forms = given_name_forms(query)
    best = 0.0
    for candidate in candidates:
        forms = given_name_forms(candidate)
        if query_forms & forms:
            return 1.0
        best = max(best, JaroWinkler.normalized_similarity(fold(query), fold(candidate.split(" ")[0])))
    return best


def dob_similarity(query: Identity, candidate: Identity) -> float:
    q, c = query.date_of_birth, candidate.date_of_birth
    if q is None or c is None:
        return 0.0
    if q == c:
        return 1.0
    if c in dob_variants(q):
        return 0.8
    if q.year == c.year and (q.month == c.month or q.day == c.day):
        return 0.4
    return 0.0


def postcode_similarity(query: Identity, candidate: Identity) -> float:
    best = 0.0
    for q in query.postcodes:
        for c in candidate.postcodes:
            if q == c:
                return 1.0
            if postcode_outward(q) == postcode_outward(c):
                best = 0.5
    return best


def score(query: Identity, candidate: Identity, *, use_hidden: bool = True) -> MatchScore:
    """Weighted agreement over the fields the query supplies (absent query fields do not count)."""
    fields: dict[str, float] = {}
    if query.family_name:
        fields["family"] = family_similarity(query.family_name, candidate.family_names)
    if query.given_name:
        fields["given"] = given_similarity(query.given_name, candidate.given_names)
    if query.date_of_birth:
        fields["dob"] = dob_similarity(query, candidate)
    if query.postcodes and use_hidden:
        fields["postcode"] = postcode_similarity(query, candidate)
    if query.gender and query.gender != "not_specified":
        fields["gender"] = 1.0 if candidate.gender == query.gender else 0.0
    weight = sum(WEIGHTS[name] for name in fields)
    total = sum(WEIGHTS[name] * value for name, value in fields.items()) / weight if weight else 0.0
    return MatchScore(total=round(total, 4), fields=fields)
