"""Search quality: does the practitioner find the right child when the search has a mistake in it?

Pure engine, in process: a synthetic population of BENCH_QUALITY_CHILDREN children (default 1,000,000;
children.synthetic.search_errors: weighted real-world name frequencies, ~3,000 postcode districts) is
filed under the real blocking keys (matching.blocking.record_keys); corrupted searches are made from
randomly chosen children, looked up under the real query keys, scored by the real Fellegi-Sunter scorer
(matching.scoring) and capped through the same `matching.engine.find` that children.search calls
(candidate cap 500, tiers added whole or not at all; at most 10 results). Keys are kept as plain
strings: blind-indexing maps each key to one digest, so block sizes are the same. No encryption, no database: latency here is the engine only
(keys + lookup in a dict + scoring); bench_search.py measures the full sealed path.

Memory stays small because only keys some query looks up are indexed: the population is streamed twice
(the same seed gives the same children), first to pick targets, then to file the keys queries need.

Per minimum-criteria set and per error class: recall (target shown), wrong children shown per search,
"refine" rate, "no close match" (near miss) rate, "no results" rate, candidates per search (p50/p95/p99/p99.9/max), engine latency. An
exact-match baseline (folded names, date, postcode and gender all equal) runs on the same searches.

BENCH_QUALITY_KEYS_ONLY=1 skips scoring and reports candidates per search only (for 12 M children).
Environment: BENCH_QUALITY_CHILDREN, BENCH_QUALITY_SEARCHES (per criteria set, default 400),
BENCH_QUALITY_SEED, BENCH_QUALITY_KEYS_ONLY, BENCH_QUALITY_ABSENT (searches per criteria set for children
the index does not hold, default 400; 0 to skip), BENCH_QUALITY_RARE_SHARE (share of family names drawn from an
invented long tail instead of Faker's 500-name table; default 0).

Children who moved (issue #9): BENCH_QUALITY_MOVED_SHARE (default 0.10) of the population has one or two
previous postcodes (children.synthetic.search_errors). A corrupted search for such a child with a postcode
in its criteria is, with probability BENCH_QUALITY_PREVIOUS_ADDRESS_SHARE (default 0.5), typed with a
previous postcode ("previous_postcode") instead of the drawn error; that choice uses its own random stream,
so every other search is the same as without it. BENCH_QUALITY_FORMER_POSTCODES=0 measures the engine as
before former postcodes were kept (records filed and scored with their current postcode only).
"""

import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from children.synthetic.search_errors import Person
    from matching.identity import Identity
    from matching.scoring import MatchScore

CHILDREN = int(os.environ.get("BENCH_QUALITY_CHILDREN", "1000000"))
SEARCHES = int(os.environ.get("BENCH_QUALITY_SEARCHES", "400"))
SEED = int(os.environ.get("BENCH_QUALITY_SEED", "20261202"))
KEYS_ONLY = os.environ.get("BENCH_QUALITY_KEYS_ONLY") == "1"
RARE_SHARE = float(os.environ.get("BENCH_QUALITY_RARE_SHARE", "0"))
CANDIDATE_LIMIT = 500
RESULT_CAP = 10
CLEAN_SHARE = 0.15  # searches typed without a mistake, as a control
MOVED_SHARE = float(os.environ.get("BENCH_QUALITY_MOVED_SHARE", "0.10"))
PREVIOUS_ADDRESS_SHARE = float(os.environ.get("BENCH_QUALITY_PREVIOUS_ADDRESS_SHARE", "0.5"))
FORMER_POSTCODES = os.environ.get("BENCH_QUALITY_FORMER_POSTCODES", "1") == "1"
# Searches for children the index does not hold (drawn from the next ABSENT_POOL children of the same
# stream, never filed): what does a practitioner see when the child is not there? Not in keys-only runs.
ABSENT = int(os.environ.get("BENCH_QUALITY_ABSENT", "400"))
ABSENT_POOL = 100_000

FAMILY_ERRORS = ("typo_family", "phonetic_family", "punctuation_family")
DOB_ERRORS = ("dob_digit", "dob_swap", "year_off")
GIVEN_ERRORS = ("typo_given", "nickname", "swapped_names", "spaced_given")
CRITERIA_SETS = {
    "family+dob": FAMILY_ERRORS + DOB_ERRORS,
    "family+postcode": (*FAMILY_ERRORS, "moved_postcode"),
    "family+given+gender": FAMILY_ERRORS + GIVEN_ERRORS,
    "family+dob+partial postcode": (*FAMILY_ERRORS, *DOB_ERRORS, "moved_postcode"),
    "every field": (*FAMILY_ERRORS, *DOB_ERRORS, *GIVEN_ERRORS, "moved_postcode", "missing_given"),
}


@dataclass
class Search:
    criteria_set: str
    error: str
    target: int
    query: "Identity"
    exact_key: str
    true_key: str  # the target's real values on the searched fields: who else shares them?


@dataclass
class Outcome:
    shown: list[int]
    refine: bool
    candidates: int
    widened_dropped: bool  # kept for the record layout; tiers are reported through the block columns
    ms: float
    exact_block: int = 0  # children sharing a key of the most specific tier (must stay under the cap)
    every_block: int = 0  # children sharing any key of any tier
    near_miss: bool = False  # nothing shown, but "no close match, add detail" rather than "no children found"
    # Scored candidates other than the target that agree with what was typed at least as well as the
    # target does on every compared field (`_at_least_as_good`): no ranking that respects each field's
    # agreement order can show the target without them.
    as_good: frozenset[int] = frozenset()

    @property
    def none(self) -> bool:
        """ "No children found": nobody shown, nothing to refine, no near miss."""
        return not self.shown and not self.refine and not self.near_miss


def _pct(values: list[float] | list[int], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


def _identity(who: "Person", *, fields: tuple[str, ...]) -> "Identity":
    from matching.identity import Identity

    return Identity(
        family_names=(who.family,),
        given_names=(who.given,) if "given" in fields and who.given else (),
        date_of_birth=who.dob if "dob" in fields else None,
        gender=who.gender if "gender" in fields else None,
        postcodes=(who.postcode,) if "postcode" in fields and who.postcode else (),
    )


def _stored(who: "Person") -> "Identity":
    """A child as the index files and scores it: every field, and its former postcodes when kept."""
    identity = _identity(who, fields=("given", "dob", "gender", "postcode"))
    return replace(identity, former_postcodes=who.former_postcodes) if FORMER_POSTCODES else identity


def _fields(criteria_set: str) -> tuple[str, ...]:
    return {
        "family+dob": ("dob",),
        "family+postcode": ("postcode",),
        "family+given+gender": ("given", "gender"),
        "family+dob+partial postcode": ("dob", "postcode"),
        "every field": ("given", "dob", "gender", "postcode"),
    }[criteria_set]


def _exact_key(who: "Person", fields: tuple[str, ...]) -> str:
    """The baseline: every given field equal after case folding (what an exact-match index finds)."""
    from matching.normalise import fold

    parts = ["exact", fold(who.family)]
    if "given" in fields:
        parts.append(fold(who.given.split(" ")[0]) if who.given else "")
    if "dob" in fields:
        parts.append(who.dob.isoformat() if who.dob else "")
    if "gender" in fields:
        parts.append(who.gender)
    if "postcode" in fields:
        parts.append(who.postcode)
    return "|".join(parts)


def typed_query(
    rng: random.Random, who: "Person", criteria_set: str, previous: random.Random | None = None
) -> tuple[str, "Person"]:
    """`who` as a practitioner types them for `criteria_set`: (error class or "none", what was typed).

    One mistake of the set's error classes at their documented rates (CLEAN_SHARE left clean), a
    district or sector for the partial-postcode set, and "not specified" for 10% of genders. Also
    used by bench_search.py, so both benches search with the same mistakes. With `previous` (its own
    random stream), a mistaken search for a child who moved is typed with a previous postcode at
    PREVIOUS_ADDRESS_SHARE instead.
    """
    from children.synthetic.search_errors import ERROR_RATES, corrupted

    errors = CRITERIA_SETS[criteria_set]
    error = "none"
    typed = who
    if rng.random() >= CLEAN_SHARE:
        for _ in range(10):
            error = rng.choices(errors, weights=[ERROR_RATES[e] for e in errors])[0]
            changed = corrupted(rng, who, error)
            if changed is not None:
                typed = changed
                break
        else:
            error = "none"
        if (
            previous is not None
            and who.former_postcodes
            and "postcode" in _fields(criteria_set)
            and previous.random() < PREVIOUS_ADDRESS_SHARE
        ):
            error = "previous_postcode"
            typed = corrupted(previous, who, error) or who
    if error == "swapped_names":
        typed = replace(typed, given=typed.given.split(" ")[0])
    if criteria_set == "family+dob+partial postcode":
        outward, _, inward = typed.postcode.partition(" ")
        typed = replace(typed, postcode=outward if rng.random() < 0.5 else f"{outward} {inward[0]}")
    if "gender" in _fields(criteria_set) and rng.random() < 0.1:
        typed = replace(typed, gender="not_specified")
    return error, typed


def _searches(rng: random.Random, people: "dict[int, Person]", targets: dict[str, list[int]]) -> list[Search]:
    searches = []
    previous = random.Random(SEED + 3)  # its own stream: the other searches stay as they were
    for name in CRITERIA_SETS:
        fields = _fields(name)
        for target in targets[name]:
            who = people[target]
            error, typed = typed_query(rng, who, name, previous=previous)
            query = _identity(typed, fields=fields)
            searches.append(
                Search(name, error, target, query, _exact_key(typed, fields), _exact_key(who, fields))
            )
    return searches


def _search(search: Search, index: dict[str, list[int]], people: "dict[int, Person]") -> Outcome:
    from matching.blocking import query_key_tiers
    from matching.engine import find, name_only
    from matching.scoring import score

    started = time.perf_counter()
    tiers = query_key_tiers(search.query)
    exact_block = len({i for key in tiers.exact for i in index.get(key, ())})
    every_block = len({i for key in tiers.every for i in index.get(key, ())})
    started = time.perf_counter()
    scored: list[tuple[int, MatchScore]] = []  # every candidate scored, past the cap included

    def score_ids(ids: "Iterable[int]") -> "list[tuple[int, MatchScore]]":
        if KEYS_ONLY:
            return []
        pairs = [(i, score(search.query, _stored(people[i]))) for i in ids]
        scored.extend(pairs)
        return pairs

    found = find(
        tiers,
        lookup=lambda keys: {i for key in keys for i in index.get(key, ())},
        score_ids=score_ids,
        cap=CANDIDATE_LIMIT,
        names_only=name_only(search.query),
    )
    offered = [i for i, _ in found.offers.items]
    refine = found.refine or len(offered) > RESULT_CAP  # the result cap, as child_search applies it
    ms = (time.perf_counter() - started) * 1000
    # The engine says near miss only for a search that offers no one and is not asked to refine.
    shown = [] if refine else offered
    as_good: frozenset[int] = frozenset()
    if not KEYS_ONLY:  # outside the timing: an analysis of the search, not part of it
        target = score(search.query, _stored(people[search.target]))
        as_good = frozenset(i for i, m in scored if i != search.target and _at_least_as_good(m, target))
    return Outcome(
        shown, refine, found.candidates, False, ms, exact_block, every_block, found.near_miss, as_good
    )


# Agreement order within each field, independent of the model's weights (which may tie: a slip in a
# common name weighs no more than the name itself). A date one mistake out ranks the same whichever mistake.
AGREEMENT_ORDER = {
    "family_name": ("else", "dl1", "jw_low", "jw_mid", "jw_high", "phonetic", "exact"),
    "given_name": ("else", "dl1", "jw_low", "jw_mid", "jw_high", "phonetic", "nickname", "exact"),
    "dob": ("else", "month_year", "one_mistake", "exact"),
    "postcode": ("else", "district", "sector", "full"),
    "gender": ("else", "exact"),
}
ONE_DATE_MISTAKE = frozenset({"swapped", "one_digit", "year_off"})


def _agreement(name: str, level: str) -> int:
    if name == "dob" and level in ONE_DATE_MISTAKE:
        level = "one_mistake"
    return AGREEMENT_ORDER[name].index(level)


def _at_least_as_good(other: "MatchScore", target: "MatchScore") -> bool:
    """`other` agrees with the query at least as closely as `target` on every field the target was
    compared on (`AGREEMENT_ORDER`), e.g. a namesake born on the typed (mistaken) date against the target
    born a digit away. Searches where such a child exists, other than the target's namesakes, cannot
    show the target without showing a wrong child, whatever the engine."""
    return all(
        name in other.levels and _agreement(name, other.levels[name]) >= _agreement(name, level)
        for name, level in target.levels.items()
    )


def _report(
    title: str,
    rows: dict[str, list[tuple[Search, Outcome]]],
    baseline: dict[int, Outcome],
    namesakes: dict[int, set[int]],
) -> None:
    print(f"\n{title}")
    header = (
        f"{'':<28}{'n':>5}{'recall':>8}{'wrong':>7}{'refine':>8}{'near':>7}{'none':>7}"
        f"{'b p50':>7}{'b p95':>7}{'b p99':>7}{'b p99.9':>8}{'b max':>7}{'all p99':>8}{'s p95':>7}{'ms p50':>8}{'ms p95':>8}"
        f"{'| exact recall':>15}{'wrong':>7}{'refine':>8}{'| ceiling':>10}{'recall<=ceil':>13}{'other':>7}"
        f"{'beaten':>8}"
    )
    print(header)
    for name, pairs in rows.items():
        n = len(pairs)
        if not n:
            continue
        outs = [o for _, o in pairs]
        base = [baseline[id(s)] for s, _ in pairs]
        cands = [o.exact_block for o in outs]
        every = [o.every_block for o in outs]
        scored = [o.candidates for o in outs]
        ms = [o.ms for o in outs]
        recall = sum(s.target in o.shown for s, o in pairs) / n
        wrong = sum(len([i for i in o.shown if i != s.target]) for s, o in pairs) / n
        refine = sum(o.refine for o in outs) / n
        near = sum(o.near_miss for o in outs) / n
        none = sum(o.none for o in outs) / n
        b_recall = sum(s.target in b.shown for (s, _), b in zip(pairs, base, strict=True)) / n
        b_wrong = (
            sum(len([i for i in b.shown if i != s.target]) for (s, _), b in zip(pairs, base, strict=True)) / n
        )
        b_refine = sum(b.refine for b in base) / n
        # Ceiling: searches whose target shares its searched values with at most RESULT_CAP - 1 others;
        # beyond that no engine can list the target without "refine". `other`: wrong children that are
        # not namesakes (namesakes are identical on every searched field, so indistinguishable).
        findable = [(s, o) for s, o in pairs if len(namesakes[id(s)]) <= RESULT_CAP]
        ceiling = len(findable) / n
        recall_findable = sum(s.target in o.shown for s, o in findable) / max(len(findable), 1)
        other = (
            sum(len([i for i in o.shown if i != s.target and i not in namesakes[id(s)]]) for s, o in pairs)
            / n
        )
        # `beaten`: searches where a child other than the target's namesakes agrees with what was typed at
        # least as well as the target on every field. Showing the target there means showing a wrong
        # child too, so one minus this share is the most recall an engine can have with no wrong children.
        beaten = sum(bool(o.as_good - namesakes[id(s)]) for s, o in pairs) / n
        print(
            f"{name:<28}{n:>5}{recall:>8.1%}{wrong:>7.2f}{refine:>8.1%}{near:>7.1%}{none:>7.1%}"
            f"{_pct(cands, 50):>7.0f}{_pct(cands, 95):>7.0f}{_pct(cands, 99):>7.0f}{_pct(cands, 99.9):>8.0f}"
            f"{max(cands):>7.0f}{_pct(every, 99):>8.0f}{_pct(scored, 95):>7.0f}{_pct(ms, 50):>8.1f}{_pct(ms, 95):>8.1f}"
            f"{b_recall:>15.1%}{b_wrong:>7.2f}{b_refine:>8.1%}{ceiling:>10.1%}{recall_findable:>13.1%}{other:>7.2f}"
            f"{beaten:>8.1%}"
        )


def _population(extra: int = 0) -> "Iterator[Person]":
    """The same children on every pass (one seed for the people, another for who moved and from where).

    `extra` more children follow the filed ones (the stream is sequential, so the first CHILDREN are the
    same): the absent children searched for, never filed.
    """
    from children.synthetic.search_errors import population

    return population(
        random.Random(SEED + 1),
        CHILDREN + extra,
        rare_share=RARE_SHARE,
        moved_share=MOVED_SHARE,
        moved_seed=SEED + 2,
    )


def _report_absent(rows: dict[str, list[tuple[Search, Outcome]]]) -> None:
    """Searches for a child the index does not hold: every child shown is the wrong one."""
    print("\nSearches for children the index does not hold (corrupted and clean), by minimum-criteria set")
    print(f"{'':<28}{'n':>5}{'shown any':>10}{'wrong':>7}{'refine':>8}{'near':>7}{'none':>7}")
    for name, pairs in rows.items():
        n = len(pairs)
        if not n:
            continue
        outs = [o for _, o in pairs]
        print(
            f"{name:<28}{n:>5}{sum(bool(o.shown) for o in outs) / n:>10.1%}"
            f"{sum(len(o.shown) for o in outs) / n:>7.2f}{sum(o.refine for o in outs) / n:>8.1%}"
            f"{sum(o.near_miss for o in outs) / n:>7.1%}"
            f"{sum(o.none for o in outs) / n:>7.1%}"
        )


def main() -> int:
    import django

    django.setup()
    from matching.blocking import query_key_tiers, record_keys

    rng = random.Random(SEED)
    started = time.perf_counter()
    chosen = {name: sorted(rng.sample(range(CHILDREN), SEARCHES)) for name in CRITERIA_SETS}
    absent_rng = random.Random(SEED + 4)  # its own stream: the searches for filed children stay the same
    absent_count = 0 if KEYS_ONLY else ABSENT
    absent_chosen = {
        name: sorted(absent_rng.sample(range(CHILDREN, CHILDREN + ABSENT_POOL), absent_count))
        for name in CRITERIA_SETS
    }
    wanted = {i for ids in (*chosen.values(), *absent_chosen.values()) for i in ids}
    people: dict[int, Person] = {}
    for i, who in enumerate(_population(extra=ABSENT_POOL if absent_count else 0)):
        if i in wanted:
            people[i] = who
    searches = _searches(rng, people, chosen)
    absent_searches = _searches(absent_rng, people, absent_chosen)
    needed = {k for s in (*searches, *absent_searches) for k in query_key_tiers(s.query).every}
    needed |= {s.exact_key for s in searches} | {s.true_key for s in searches}
    index: dict[str, list[int]] = defaultdict(list)
    for i, who in enumerate(_population()):
        hit = False
        for key in record_keys(_stored(who)):
            if key.value in needed:
                index[key.value].append(i)
                hit = True
        for name in CRITERIA_SETS:
            exact = _exact_key(who, _fields(name))
            if exact in needed:
                index[exact].append(i)
                hit = True
        if hit and not KEYS_ONLY:
            people[i] = who
        if i % 100_000 == 0:
            print(f"\r  filed {i:,}/{CHILDREN:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    filed = time.perf_counter() - started
    baseline: dict[int, Outcome] = {}
    for s in searches:
        ids = index.get(s.exact_key, [])
        baseline[id(s)] = Outcome(
            [] if len(ids) > RESULT_CAP else list(ids), len(ids) > RESULT_CAP, len(ids), False, 0.0
        )
    namesakes = {id(s): set(index.get(s.true_key, [])) for s in searches}
    by_set: dict[str, list[tuple[Search, Outcome]]] = defaultdict(list)
    by_error: dict[str, list[tuple[Search, Outcome]]] = defaultdict(list)
    corrupted_by_set: dict[str, list[tuple[Search, Outcome]]] = defaultdict(list)
    for s in searches:
        outcome = _search(s, index, people)
        by_set[s.criteria_set].append((s, outcome))
        by_error[s.error].append((s, outcome))
        if s.error != "none":
            corrupted_by_set[s.criteria_set].append((s, outcome))
    mode = "keys only (candidates per search)" if KEYS_ONLY else "engine: keys + score + cap"
    print(
        f"bench_search_quality: {CHILDREN:,} children, {len(searches):,} searches ({SEARCHES} per criteria set, "
        f"{CLEAN_SHARE:.0%} without a mistake), seed {SEED}, {mode}; "
        f"long-tail family names {RARE_SHARE:.0%}; moved {MOVED_SHARE:.0%} (previous address typed in "
        f"{PREVIOUS_ADDRESS_SHARE:.0%} of their corrupted postcode searches); former postcodes "
        f"{'filed and scored' if FORMER_POSTCODES else 'NOT kept (before issue #9)'}; population filed in {filed:.0f} s"
    )
    _report("Corrupted searches, by minimum-criteria set", corrupted_by_set, baseline, namesakes)
    _report("All searches (clean included), by minimum-criteria set", by_set, baseline, namesakes)
    _report("By error class (all criteria sets)", dict(sorted(by_error.items())), baseline, namesakes)
    # The two address classes per criteria set: a DOB in the search can carry it whatever the postcode says.
    address_classes = {"moved_postcode": "moved", "previous_postcode": "previous"}
    short = {"family+dob+partial postcode": "dob+partial pc"}
    by_set_and_error = {
        f"{short.get(name, name)} / {label}": [(s, o) for s, o in by_set[name] if s.error == error]
        for name in CRITERIA_SETS
        for error, label in address_classes.items()
    }
    _report("Address error classes by criteria set", by_set_and_error, baseline, namesakes)
    if absent_searches:
        absent_by_set: dict[str, list[tuple[Search, Outcome]]] = defaultdict(list)
        for s in absent_searches:
            absent_by_set[s.criteria_set].append((s, _search(s, index, people)))
        _report_absent(absent_by_set)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
