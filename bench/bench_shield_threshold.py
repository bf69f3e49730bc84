"""The evidence for the shield hold floor (`linkage.linking.SHIELD_REVIEW_WEIGHT`, issue #10).

A feed row that shares any key with a shielded child, and scores at least the floor against it, is held
for that child's LA team. Too low a floor holds rows about namesakes (a person reviews each); too high
lets a mistyped shielded child through to be linked around, the 2009 failure. This measures both sides
with the one engine (`matching.blocking`, `matching.scoring.score` with the address, as the shield check
scores) and the search benches' error generator (`children.synthetic.search_errors`):

- **true matches**: every child of a sample against itself as a feed might send it, with one mistake of
  every class, and with every pair of two different classes (uniformly, not at their everyday rates:
  the tail is what matters). The classes are the generator's twelve plus what a feed adds: a move to
  another district (`moved_away`), no postcode, and a former family name sent as the current one
  (`former_family`, the stored child keeping it as a former name), and the other sex recorded
  (`other_sex`: a keying slip, or a record updated in one system and not the other). Moves are in: BENCH_SHIELD_MOVED_SHARE
  (default 0.5: a shielded child has often moved) of the children have previous postcodes, which the
  index keeps (hidden) and the row never carries. Rows sharing no key with their child are counted apart
  (the floor cannot hold them whatever it is).
- **non-matches that share a key**: for a sample of rows (the same mistakes, and clean), every other
  child of a BENCH_SHIELD_CHILDREN population (default 1,000,000) filed under any key the row looks up
  (every tier, hidden keys too: the shield check's lookup), scored.
- **hold rate**: with BENCH_SHIELD_SHIELDED_SHARE (default 0.6%, as in the 1M bench index) of the
  population shielded at random, the share of rows about someone else that some shielded key-sharer
  would hold, for each candidate floor.

    PYTHONPATH=. .venv/bin/python bench/bench_shield_threshold.py
    BENCH_SHIELD_CHILDREN=200000 BENCH_SHIELD_TRUE_PEOPLE=20000 ...     # quicker

Environment: BENCH_SHIELD_CHILDREN, BENCH_SHIELD_TRUE_PEOPLE (default 40,000: each gives one row per
class and one per pair of classes), BENCH_SHIELD_ROWS (non-match rows, default 2,000), BENCH_SHIELD_SEED.
"""

import itertools
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

if TYPE_CHECKING:
    from collections.abc import Iterator

    from children.synthetic.search_errors import Person
    from matching.identity import Identity

CHILDREN = int(os.environ.get("BENCH_SHIELD_CHILDREN", "1000000"))
TRUE_PEOPLE = int(os.environ.get("BENCH_SHIELD_TRUE_PEOPLE", "40000"))
ROWS = int(os.environ.get("BENCH_SHIELD_ROWS", "2000"))
SEED = int(os.environ.get("BENCH_SHIELD_SEED", "20261202"))
MOVED_SHARE = float(os.environ.get("BENCH_SHIELD_MOVED_SHARE", "0.5"))
SHIELDED_SHARE = float(os.environ.get("BENCH_SHIELD_SHIELDED_SHARE", "0.006"))
FORMER_FAMILY_SHARE = 0.1  # of children, a former family name kept by the index
FLOORS = (-20.0, -16.0, -12.0, -10.0, -8.0, -6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 8.0)
THREE_MISTAKES = 8  # random sets of three classes per child (beyond the "one or two" the floor must cover)
FEED_CLASSES = ("moved_away", "no_postcode", "former_family", "other_sex")


def _former_family(who: "Person") -> str:
    """The family name a child was once known by, for FORMER_FAMILY_SHARE of children (deterministic)."""
    from children.synthetic.names import FAMILY_NAMES

    rng = random.Random(f"{SEED}|{who.given}|{who.family}|{who.dob}|{who.postcode}")
    return FAMILY_NAMES.draw(rng) if rng.random() < FORMER_FAMILY_SHARE else ""


def _stored(who: "Person") -> "Identity":
    """A child as the index files and scores it: every field, former postcodes and family name."""
    from matching.identity import Identity

    former = _former_family(who)
    return Identity(
        family_names=(who.family, former) if former else (who.family,),
        given_names=(who.given, who.given) if former else (who.given,),
        date_of_birth=who.dob,
        gender=who.gender,
        postcodes=(who.postcode,),
        former_postcodes=who.former_postcodes,
    )


def _row(who: "Person") -> "Identity":
    """What a feed sends: one family name, the given names, date, sex and postcode (if any)."""
    from matching.identity import Identity

    return Identity(
        family_names=(who.family,) if who.family else (),
        given_names=(who.given,) if who.given else (),
        date_of_birth=who.dob,
        gender=who.gender,
        postcodes=(who.postcode,) if who.postcode else (),
    )


def _mistaken(rng: random.Random, who: "Person", error: str) -> "Person | None":
    from children.synthetic.search_errors import _postcode, corrupted

    if error == "moved_away":
        return replace(who, postcode=_postcode(rng))
    if error == "no_postcode":
        return replace(who, postcode="")
    if error == "other_sex":
        return replace(who, gender="male" if who.gender == "female" else "female")
    if error == "former_family":
        former = _former_family(who)
        return replace(who, family=former) if former else None
    return corrupted(rng, who, error)


def _classes() -> tuple[str, ...]:
    from children.synthetic.search_errors import ERROR_CLASSES

    return (*ERROR_CLASSES, *FEED_CLASSES)


def _variant(rng: random.Random, who: "Person", errors: tuple[str, ...]) -> "Person | None":
    """`who` with each of `errors` in turn, or None if one cannot apply (a second mistake is made on the
    first one's result, so a swap after a typo swaps the mistyped name)."""
    changed: Person | None = who
    for error in errors:
        changed = _mistaken(rng, changed, error) if changed is not None else None
    return changed if changed != who else None


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def _population() -> "Iterator[Person]":
    from children.synthetic.search_errors import population

    return population(random.Random(SEED + 1), CHILDREN, moved_share=MOVED_SHARE, moved_seed=SEED + 2)


def true_matches(people: "list[Person]") -> dict[tuple[str, ...], list[float]]:
    """Weights of each child against itself, by the mistakes made (unfound rows weigh -inf)."""
    from matching.blocking import query_key_tiers, record_keys
    from matching.scoring import score

    rng = random.Random(SEED + 5)
    classes = _classes()
    combos = [(), *((c,) for c in classes), *itertools.combinations(classes, 2)]
    triples = list(itertools.combinations(classes, 3))
    weights: dict[tuple[str, ...], list[float]] = defaultdict(list)
    for who in people:
        stored = _stored(who)
        filed = {k.value for k in record_keys(stored)}
        for combo in [*combos, *rng.sample(triples, THREE_MISTAKES)]:
            variant = _variant(rng, who, combo) if combo else who
            if variant is None:
                continue
            row = _row(variant)
            weight = score(row, stored, use_hidden=True).weight
            shares = bool(query_key_tiers(row).every & filed)
            weights[combo].append(weight if shares else float("-inf"))
    return weights


def main() -> int:
    import django

    django.setup()
    from matching.blocking import query_key_tiers, record_keys
    from matching.scoring import score

    started = time.process_time()
    rng = random.Random(SEED)
    sample = set(rng.sample(range(CHILDREN), max(TRUE_PEOPLE, ROWS)))
    people: dict[int, Person] = {i: who for i, who in enumerate(_population()) if i in sample}
    ordered = [people[i] for i in sorted(people)]
    true = true_matches(ordered[:TRUE_PEOPLE])

    # Non-matches: rows about sampled children (clean or with one or two mistakes), against everyone else.
    classes = _classes()
    rows: list[tuple[int, Identity]] = []
    for i in sorted(people)[:ROWS]:
        errors = tuple(rng.sample(classes, rng.choice((0, 1, 2))))
        variant = _variant(rng, people[i], errors) or people[i]
        rows.append((i, _row(variant)))
    wanted = {key for _, row in rows for key in query_key_tiers(row).every}
    index: dict[str, list[int]] = defaultdict(list)
    filed: dict[int, Identity] = {}
    shielded: set[int] = set()
    marks = random.Random(SEED + 7)
    for i, who in enumerate(_population()):
        shield = marks.random() < SHIELDED_SHARE
        stored = _stored(who)
        hit = False
        for key in record_keys(stored):
            if key.value in wanted:
                index[key.value].append(i)
                hit = True
        if hit:
            filed[i] = stored
            if shield:
                shielded.add(i)
        if i % 100_000 == 0:
            print(f"\r  filed {i:,}/{CHILDREN:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    non: list[float] = []
    sharers: list[int] = []
    held = dict.fromkeys(FLOORS, 0)
    for i, row in rows:
        others = {j for key in query_key_tiers(row).every for j in index.get(key, ())} - {i}
        sharers.append(len(others))
        best_shielded = float("-inf")
        for j in others:
            weight = score(row, filed[j], use_hidden=True).weight
            non.append(weight)
            if j in shielded:
                best_shielded = max(best_shielded, weight)
        for floor in FLOORS:
            held[floor] += best_shielded >= floor
    _report(true, non, sharers, held, len(rows), len(shielded), time.process_time() - started)
    return 0


def _report(
    true: dict[tuple[str, ...], list[float]],
    non: list[float],
    sharers: list[int],
    held: dict[float, int],
    rows: int,
    shielded: int,
    cpu: float,
) -> None:
    by_mistakes: dict[int, list[float]] = defaultdict(list)
    for combo, weights in true.items():
        by_mistakes[len(combo)].extend(weights)
    print(
        f"bench_shield_threshold: {CHILDREN:,} children ({MOVED_SHARE:.0%} moved, {FORMER_FAMILY_SHARE:.0%} "
        f"with a former family name), {TRUE_PEOPLE:,} children x {len(true)} mistake sets, seed {SEED}, "
        f"{cpu:.0f} s CPU"
    )
    print("\nTrue matches, weight in bits (rows sharing no key with their child counted apart):")
    print("| Mistakes | Rows | No shared key | min | 0.01th pct | 0.1th pct | 1st pct | median |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for count in sorted(by_mistakes):
        all_weights = by_mistakes[count]
        found = [w for w in all_weights if w != float("-inf")]
        print(
            f"| {count} | {len(all_weights):,} | {len(all_weights) - len(found):,} | {min(found):.1f} | "
            f"{_pct(found, 0.01):.1f} | {_pct(found, 0.1):.1f} | {_pct(found, 1):.1f} | {_pct(found, 50):.1f} |"
        )
    worst = sorted(
        (
            (min((w for w in ws if w != float("-inf")), default=float("nan")), combo)
            for combo, ws in true.items()
        ),
        key=lambda pair: pair[0],
    )[:12]
    print("\nLowest mistake sets (min weight of a found row):")
    for weight, combo in worst:
        found = [w for w in true[combo] if w != float("-inf")]
        print(
            f"  {' + '.join(combo) or 'none'}: min {weight:.1f}, 1st pct {_pct(found, 1):.1f}, n {len(found):,}"
        )
    print(
        f"\nNon-matches sharing a key: {len(non):,} pairs from {rows:,} rows (key-sharers per row: median "
        f"{_pct([float(s) for s in sharers], 50):.0f}, 90th pct {_pct([float(s) for s in sharers], 90):.0f})"
    )
    print(
        "| Weight at least | Non-match pairs | Rows about someone else held (shielded at random: "
        f"{shielded:,} of the key-sharers filed) |"
    )
    print("| --- | --- | --- |")
    for floor in FLOORS:
        above = sum(w >= floor for w in non)
        print(f"| {floor:+.0f} | {above / max(1, len(non)):.2%} | {held[floor] / max(1, rows):.1%} |")
    print(
        f"Non-match weights: median {_pct(non, 50):.1f}, 90th pct {_pct(non, 90):.1f}, 99th {_pct(non, 99):.1f}, "
        f"99.9th {_pct(non, 99.9):.1f}, max {max(non, default=float('nan')):.1f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
