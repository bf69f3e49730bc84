"""Local authority profiles: where a synthetic family can live and how its phone numbers look.

Postcode districts and towns are real, so addresses read as English ones; streets and house numbers
are invented. Phone numbers use the area's Ofcom drama range (e.g. 0113 496 0000-0999), which is
never allocated to anyone.
"""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    key: str
    name: str
    police: str
    districts: tuple[str, ...]
    towns: tuple[str, ...]
    phone_prefix: str

    @property
    def code(self) -> str:
        return f"DEMO-{self.key}"


PLACES: tuple[Place, ...] = (
    Place(
        "LDS",
        "Leeds City Council",
        "West Yorkshire Police",
        tuple(f"LS{n}" for n in (*range(1, 20), 25, 26, 27, 28)),
        ("Leeds", "Headingley", "Armley", "Morley", "Pudsey", "Horsforth", "Rothwell", "Garforth"),
        "0113 496 0",
    ),
    Place(
        "BRS",
        "Bristol City Council",
        "Avon and Somerset Police",
        tuple(f"BS{n}" for n in range(1, 17)),
        ("Bristol", "Clifton", "Bedminster", "Easton", "Southmead", "Fishponds", "Knowle"),
        "0117 496 0",
    ),
    Place(
        "MAN",
        "Manchester City Council",
        "Greater Manchester Police",
        tuple(f"M{n}" for n in (*range(1, 5), 8, 9, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 40)),
        ("Manchester", "Moss Side", "Didsbury", "Levenshulme", "Gorton", "Wythenshawe", "Chorlton"),
        "0161 496 0",
    ),
    Place(
        "CMD",
        "London Borough of Camden",
        "Metropolitan Police",
        ("NW1", "NW3", "NW5", "NW6", "WC1H", "WC1N", "WC1X", "N6", "N19"),
        ("London",),
        "020 7946 0",
    ),
    Place(
        "BHM",
        "Birmingham City Council",
        "West Midlands Police",
        tuple(f"B{n}" for n in (*range(5, 22), 23, 24, 26, 27, 28, 29, 30, 31, 32, 33, 34, 38, 44)),
        ("Birmingham", "Erdington", "Small Heath", "Selly Oak", "Kings Norton", "Handsworth"),
        "0121 496 0",
    ),
    Place(
        "NCL",
        "Newcastle City Council",
        "Northumbria Police",
        tuple(f"NE{n}" for n in (1, 2, 3, 4, 5, 6, 7, 12, 13, 15)),
        ("Newcastle upon Tyne", "Gosforth", "Byker", "Fenham", "Jesmond", "Walker"),
        "0191 498 0",
    ),
)
PLACES_BY_KEY = {p.key: p for p in PLACES}

# Postcode units never use these letters (Royal Mail), so leaving them out keeps postcodes plausible.
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_STREET_ENDINGS = (
    "Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Grove", "Gardens",
    "Terrace", "Place", "Court", "Walk", "Mews", "Rise", "View", "Hill", "Park", "Row",
)  # fmt: skip
_STREET_STEMS = (
    "Church", "Station", "Victoria", "Park", "Queen's", "King's", "Mill", "Manor", "Chapel", "Grange",
    "Meadow", "Oak", "Elm", "Ash", "Willow", "Beech", "Cedar", "Albert", "Windsor", "York", "Orchard",
    "Springfield", "Highfield", "Green", "Quarry", "School", "Vicarage", "Moor", "Brook", "Cross",
)  # fmt: skip


def postcode(rng: random.Random, place: Place) -> str:
    letters = rng.choice(_INWARD_LETTERS) + rng.choice(_INWARD_LETTERS)
    return f"{rng.choice(place.districts)} {rng.randint(1, 9)}{letters}"


def street(rng: random.Random, surname_stem: str) -> str:
    """Half the streets are named after a common word, half after a (synthetic) family name."""
    stem = rng.choice(_STREET_STEMS) if rng.random() < 0.5 else surname_stem
    return f"{stem} {rng.choice(_STREET_ENDINGS)}"


def address_lines(rng: random.Random, place: Place, surname_stem: str) -> list[str]:
    number = rng.randint(1, 180)
    line = f"{number} {street(rng, surname_stem)}"
    if rng.random() < 0.15:
        line = f"Flat {rng.randint(1, 24)}, {line}"
    return [line, rng.choice(place.towns)]


def place_for(key: str) -> Place:
    """A known profile, or a stable stand-in for an LA that has none (e.g. one made by tests)."""
    return PLACES_BY_KEY.get(key) or PLACES[sum(key.encode()) % len(PLACES)]
