"""A deterministic, seekable stream of synthetic children for a seed.

Each family has its own generator seeded from (seed, family number), and its size is that generator's
first draw. So the stream is the same on every run and machine for a seed, and resuming at child K
only replays family sizes up to K instead of regenerating every child before it. Memory stays flat:
one family is held at a time.
"""

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

from children.records import AddressStatus
from children.synthetic.directory import Directory
from children.synthetic.families import ChildSpec, Traits, draw_size, draw_traits, family_generate

# load_demo's first families, so every demo has twins with a hyphenated name, a shielded child and
# a child known to a sensitive service, whatever its size.
SHOWCASE: dict[int, tuple[int, dict[str, object]]] = {
    0: (2, {"twins": True, "compound_name": True, "structure": "couple", "shielded": False}),
    1: (1, {"shielded": True, "structure": "lone_mother", "address_status": AddressStatus.KNOWN}),
    2: (1, {"sensitive": True, "child_in_need": True, "shielded": False, "structure": "couple"}),
}


def _family_rng(seed: int, number: int) -> random.Random:
    return random.Random(f"contactpoint-synthetic:{seed}:{number}")  # noqa: S311 - synthetic data, not secrets


def _size(rng: random.Random, number: int, showcase: bool) -> int:
    size = draw_size(rng)
    return SHOWCASE[number][0] if showcase and number in SHOWCASE else size


def _traits(rng: random.Random, size: int, number: int, showcase: bool) -> Traits:
    traits = draw_traits(rng, size)
    if showcase and number in SHOWCASE:
        traits = replace(traits, **SHOWCASE[number][1])  # type: ignore[arg-type]
    return traits


def children_stream(
    *, seed: int, directory: Directory, today: date, skip: int = 0, showcase: bool = False
) -> Iterator[ChildSpec]:
    """Children in a fixed order for `seed`, starting after the first `skip` of them; endless."""
    if not directory.las:
        raise ValueError("no local authorities to allocate children to")
    number = 0
    while True:
        rng = _family_rng(seed, number)
        size = _size(rng, number, showcase)
        if skip >= size:
            skip -= size
            number += 1
            continue
        local = directory.las[rng.randrange(len(directory.las))]
        traits = _traits(rng, size, number, showcase)
        specs = family_generate(rng, size=size, traits=traits, local=local, today=today)
        yield from specs[skip:]
        skip = 0
        number += 1
