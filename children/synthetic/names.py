"""Weighted name tables, so synthetic names are as common (or rare) as real ones.

Given names of children follow the popularity of baby names registered in England and Wales over the
last two decades (ONS tables, rounded yearly counts); spelling variants such as Muhammad, Mohammed and
Mohammad are kept apart because feeds really do disagree on them. Family names follow Faker's en_GB
surname table, which carries frequency weights. Carers' given names are from Faker's adult tables.
"""

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from faker.providers.person.en_GB import Provider as _FakerPeople


@dataclass(frozen=True)
class WeightedNames:
    """A name table with cumulative weights, so a draw is one bisect instead of a rebuild."""

    names: tuple[str, ...]
    weights: tuple[float, ...]

    @cached_property
    def _cumulative(self) -> list[float]:
        return list(itertools.accumulate(self.weights))

    def draw(self, rng: random.Random) -> str:
        cumulative = self._cumulative
        return self.names[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]

    def __contains__(self, name: object) -> bool:
        return name in self.names


def _table(pairs: Sequence[tuple[str, float]]) -> WeightedNames:
    return WeightedNames(tuple(n for n, _ in pairs), tuple(float(w) for _, w in pairs))


# fmt: off
GIRLS = _table(
    [
        ("Olivia", 4500), ("Amelia", 4300), ("Lily", 3300), ("Ava", 3300), ("Emily", 3300),
        ("Isla", 3200), ("Sophie", 2800), ("Isabella", 2700), ("Mia", 2600), ("Grace", 2600),
        ("Poppy", 2600), ("Freya", 2600), ("Evie", 2500), ("Jessica", 2500), ("Ella", 2400),
        ("Ruby", 2400), ("Sophia", 2300), ("Charlotte", 2300), ("Chloe", 2100), ("Florence", 1900),
        ("Ivy", 1900), ("Willow", 1800), ("Millie", 1800), ("Daisy", 1700), ("Alice", 1700),
        ("Phoebe", 1700), ("Elsie", 1700), ("Evelyn", 1600), ("Sienna", 1600), ("Rosie", 1600),
        ("Matilda", 1500), ("Ellie", 1500), ("Harper", 1400), ("Scarlett", 1400), ("Molly", 1400),
        ("Isabelle", 1300), ("Maya", 1300), ("Layla", 1300), ("Lucy", 1300), ("Erin", 1200),
        ("Holly", 1200), ("Aria", 1200), ("Hannah", 1100), ("Eva", 1100), ("Emma", 1000),
        ("Georgia", 1000), ("Imogen", 1000), ("Lola", 1000), ("Maisie", 1000), ("Zara", 900),
        ("Maryam", 900), ("Esme", 900), ("Luna", 900), ("Violet", 900), ("Megan", 900),
        ("Mila", 900), ("Aisha", 800), ("Harriet", 800), ("Thea", 800), ("Amber", 800),
        ("Zoe", 800), ("Martha", 800), ("Hallie", 700), ("Eliza", 700), ("Ada", 700),
        ("Bonnie", 700), ("Jasmine", 700), ("Summer", 700), ("Iris", 700), ("Nancy", 600),
        ("Fatima", 600), ("Edith", 600), ("Anna", 600), ("Niamh", 500), ("Aaliyah", 500),
        ("Amira", 500), ("Zainab", 500), ("Orla", 500), ("Clara", 500), ("Lexi", 500),
        ("Bethany", 500), ("Katie", 500), ("Ayesha", 400), ("Hafsa", 300), ("Zofia", 250),
        ("Oliwia", 250), ("Chiamaka", 100), ("Siobhan", 150), ("Saoirse", 150), ("Aoife", 150),
    ]
)

BOYS = _table(
    [
        ("Oliver", 5500), ("Harry", 5000), ("George", 4500), ("Jack", 4500), ("Muhammad", 4000),
        ("Charlie", 4000), ("Noah", 3800), ("Jacob", 3500), ("Thomas", 3500), ("Oscar", 3500),
        ("Leo", 3300), ("William", 3300), ("James", 3200), ("Alfie", 3200), ("Arthur", 3000),
        ("Henry", 2800), ("Joshua", 2800), ("Archie", 2800), ("Freddie", 2700), ("Ethan", 2600),
        ("Joseph", 2300), ("Samuel", 2300), ("Theo", 2300), ("Isaac", 2200), ("Alexander", 2200),
        ("Max", 2200), ("Lucas", 2100), ("Daniel", 2100), ("Theodore", 1900), ("Mason", 1900),
        ("Logan", 1800), ("Dylan", 1800), ("Riley", 1800), ("Edward", 1700), ("Finley", 1700),
        ("Mohammed", 1500), ("Harrison", 1500), ("Adam", 1500), ("Sebastian", 1500),
        ("Benjamin", 1400), ("Tommy", 1200), ("Toby", 1200), ("Luca", 1200), ("Teddy", 1100),
        ("Elijah", 1000), ("Jude", 1000), ("Frankie", 1000), ("Tyler", 1000), ("Stanley", 1000),
        ("Reuben", 900), ("Albie", 900), ("Louie", 900), ("Hugo", 900), ("Jenson", 900),
        ("Rory", 900), ("Jayden", 900), ("Kai", 900), ("Ryan", 900), ("Matthew", 900),
        ("Luke", 900), ("Lewis", 900), ("Zachary", 800), ("Ibrahim", 800), ("Yusuf", 800),
        ("Aaron", 800), ("Liam", 800), ("Nathan", 800), ("Jake", 800), ("Owen", 800),
        ("Bobby", 800), ("Ollie", 700), ("Ali", 700), ("Callum", 700), ("Connor", 700),
        ("Ezra", 700), ("Otis", 700), ("Mohammad", 600), ("Caleb", 600), ("Jesse", 600),
        ("Kian", 500), ("Hunter", 500), ("Rowan", 500), ("Jaxon", 500), ("Ayaan", 500),
        ("Rafael", 400), ("Jakub", 250), ("Oluwaseun", 100), ("Cian", 150), ("Tadhg", 80),
    ]
)
# fmt: on

FAMILY_NAMES = _table(list(_FakerPeople.last_names.items()))
ADULT_WOMEN = _table([(n, 1.0) for n in _FakerPeople.first_names_female])
ADULT_MEN = _table([(n, 1.0) for n in _FakerPeople.first_names_male])


def child_given_names(rng: random.Random, gender: str, *, exclude: Sequence[str] = ()) -> str:
    """A first name by popularity, and a middle name for most children (as registered at birth).

    `exclude` stops twins and siblings being given the same first name.
    """
    table = GIRLS if gender == "female" else BOYS if gender == "male" else rng.choice((GIRLS, BOYS))
    first = table.draw(rng)
    while first in exclude:
        first = table.draw(rng)
    if rng.random() < 0.6:
        middle = table.draw(rng)
        if middle != first:
            return f"{first} {middle}"
    return first


def compound_family_name(rng: random.Random, first: str, second: str) -> str:
    """Two family names joined: usually hyphenated, sometimes double-barrelled with a space."""
    return f"{first}-{second}" if rng.random() < 0.8 else f"{first} {second}"
