"""Synthetic people and the mistakes practitioners make when searching for them.

Used by `manage.py train_matcher` (Splink training data) and bench/bench_search_quality.py (corrupted
queries), so the model is trained on, and measured against, one documented set of error classes:

    typo_family / typo_given   one keying slip (neighbouring key, dropped, doubled or swapped letters)
    phonetic_family            a sound-alike spelling (vowel changed, letter doubled/undoubled, ph/f, ...)
    nickname                   a familiar form of the given name (William -> Bill)
    swapped_names              given and family names typed in each other's boxes
    spaced_given               a stray space in the given name ("hol ly")
    punctuation_family         hyphen, apostrophe or space dropped or added in the family name
    dob_digit                  one digit of the date of birth wrong
    dob_swap                   day and month transposed
    year_off                   year of birth off by one
    moved_postcode             the child has moved: another postcode in the same district, one the
                               index never held (no engine can match it to the child's own address)
    missing_given              given name left out

and one class for search benchmarks only (`SEARCH_ONLY_CLASSES`, never drawn by `error_class`, so model
training is unchanged):

    previous_postcode          the practitioner holds the child's previous address (an old letter, a
                               school record) while the index has the new one: the child's real former
                               postcode, which only applies to a child who moved (`Person.former_postcodes`)

`population(..., moved_share=...)` gives that share of children one or two previous postcodes (most
moves are local: 60% within the same district), drawn from a separate random stream so that every
other field of every child is the same as without it.

Names follow the weighted tables in `children.synthetic.names` (Faker's en_GB surname frequencies, ONS
baby names); postcodes spread over ~3,000 districts shaped like real ones, so blocks are realistic in
size. Nothing here is a real person.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

from children.synthetic.mistakes import nickname, typo
from children.synthetic.names import BOYS, FAMILY_NAMES, GIRLS, compound_family_name

ERROR_CLASSES = (
    "typo_family",
    "typo_given",
    "phonetic_family",
    "nickname",
    "swapped_names",
    "spaced_given",
    "punctuation_family",
    "dob_digit",
    "dob_swap",
    "year_off",
    "moved_postcode",
    "missing_given",
)
# Relative rates among corrupted queries: typing slips dominate (studies of search logs and feeds).
ERROR_RATES = {
    "typo_family": 20,
    "typo_given": 10,
    "phonetic_family": 10,
    "nickname": 8,
    "swapped_names": 5,
    "spaced_given": 3,
    "punctuation_family": 4,
    "dob_digit": 12,
    "dob_swap": 8,
    "year_off": 6,
    "moved_postcode": 8,
    "missing_given": 6,
}
SEARCH_ONLY_CLASSES = ("previous_postcode",)
LOCAL_MOVE_SHARE = 0.6  # a move within the same postcode district (the rest: anywhere)
SECOND_MOVE_SHARE = 0.2  # of children who moved, those with two previous postcodes kept
_AREAS = [
    "AL",
    "B",
    "BA",
    "BB",
    "BD",
    "BH",
    "BL",
    "BN",
    "BR",
    "BS",
    "CA",
    "CB",
    "CH",
    "CM",
    "CO",
    "CR",
    "CT",
    "CV",
    "CW",
    "DA",
    "DE",
    "DH",
    "DL",
    "DN",
    "DT",
    "DY",
    "E",
    "EC",
    "EN",
    "EX",
    "FY",
    "GL",
    "GU",
    "HA",
    "HD",
    "HG",
    "HP",
    "HR",
    "HU",
    "HX",
    "IG",
    "IP",
    "KT",
    "L",
    "LA",
    "LE",
    "LN",
    "LS",
    "LU",
    "M",
    "ME",
    "MK",
    "N",
    "NE",
    "NG",
    "NN",
    "NR",
    "NW",
    "OL",
    "OX",
    "PE",
    "PL",
    "PO",
    "PR",
    "RG",
    "RH",
    "RM",
    "S",
    "SE",
    "SG",
    "SK",
    "SL",
    "SM",
    "SN",
    "SO",
    "SP",
    "SR",
    "SS",
    "ST",
    "SW",
    "TA",
    "TF",
    "TN",
    "TQ",
    "TR",
    "TS",
    "TW",
    "UB",
    "W",
    "WA",
    "WC",
    "WD",
    "WF",
    "WN",
    "WR",
    "WS",
    "WV",
    "YO",
]
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_SOUND_ALIKE = (("PH", "F"), ("CK", "K"), ("EY", "Y"), ("IE", "Y"), ("OU", "OW"), ("TH", "T"), ("SS", "S"))


@dataclass(frozen=True)
class Person:
    """A child as the index holds it, or as a practitioner typed them (a query)."""

    given: str
    family: str
    gender: str
    dob: date | None
    postcode: str
    former_postcodes: tuple[str, ...] = ()  # newest first; empty for a child who has not moved


def _district(rng: random.Random) -> str:
    return f"{rng.choice(_AREAS)}{rng.randint(1, 30)}"


def _postcode(rng: random.Random, district: str | None = None) -> str:
    district = district or _district(rng)
    letters = rng.choice(_INWARD_LETTERS) + rng.choice(_INWARD_LETTERS)
    return f"{district} {rng.randint(0, 9)}{letters}"


_ONSETS = (
    "B",
    "C",
    "D",
    "F",
    "G",
    "H",
    "K",
    "L",
    "M",
    "N",
    "P",
    "R",
    "S",
    "T",
    "W",
    "BR",
    "CR",
    "ST",
    "TH",
    "SH",
)
_VOWELS = ("A", "E", "I", "O", "U", "AI", "EA", "OO", "OU")
_CODAS = ("", "N", "R", "L", "S", "T", "CK", "RD", "LL", "NG", "WORTH", "TON", "LEY", "FIELD", "BY", "HAM")


def rare_family_name(rng: random.Random) -> str:
    """An invented surname from the long tail (thousands of rare names that Faker's 500 leave out)."""
    syllables = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.choice((1, 2, 2))))
    return (syllables + rng.choice(_CODAS)).capitalize()


def person(rng: random.Random, *, today: date = date(2026, 1, 1), rare_share: float = 0.0) -> Person:
    """One synthetic child under 18, with a weighted first (and often middle) name.

    `rare_share` of family names come from an invented long tail instead of Faker's 500-name table,
    whose common names are much denser than a real population's.
    """
    gender = rng.choice(("female", "male"))
    table = GIRLS if gender == "female" else BOYS
    given = table.draw(rng)
    if rng.random() < 0.3:
        given = f"{given} {table.draw(rng)}"
    family = rare_family_name(rng) if rare_share and rng.random() < rare_share else FAMILY_NAMES.draw(rng)
    if rng.random() < 0.04:
        family = compound_family_name(rng, family, FAMILY_NAMES.draw(rng))
    elif rng.random() < 0.01:
        family = f"O'{family}"
    dob = today - timedelta(days=rng.randrange(1, 18 * 365))
    return Person(given, family, gender, dob, _postcode(rng))


def _former_postcodes(rng: random.Random, current: str) -> tuple[str, ...]:
    formers: list[str] = []
    for _ in range(2 if rng.random() < SECOND_MOVE_SHARE else 1):
        near = formers[-1] if formers else current
        district = near.split(" ")[0] if rng.random() < LOCAL_MOVE_SHARE else None
        postcode = _postcode(rng, district)
        if postcode != current and postcode not in formers:
            formers.append(postcode)
    return tuple(formers)


def population(
    rng: random.Random,
    count: int,
    *,
    rare_share: float = 0.0,
    moved_share: float = 0.0,
    moved_seed: int = 0,
) -> Iterator[Person]:
    """`count` children; `moved_share` of them with previous postcodes, drawn from their own stream
    (`moved_seed`), so the same `rng` gives the same children whatever the share."""
    moves = random.Random(moved_seed)  # noqa: S311 - synthetic data, not security
    for _ in range(count):
        who = person(rng, rare_share=rare_share)
        if moved_share and moves.random() < moved_share:
            who = replace(who, former_postcodes=_former_postcodes(moves, who.postcode))
        yield who


def _sound_alike(rng: random.Random, name: str) -> str | None:
    upper = name.upper()
    options = [(a, b) for a, b in _SOUND_ALIKE if a in upper] + [
        (b, a) for a, b in _SOUND_ALIKE if b in upper
    ]
    vowels = [i for i, c in enumerate(upper) if c in "AEIOU" and i > 0]
    if options and rng.random() < 0.5:
        a, b = rng.choice(options)
        return upper.replace(a, b, 1).capitalize()
    if vowels:
        i = rng.choice(vowels)
        return (upper[:i] + rng.choice([v for v in "AEIOU" if v != upper[i]]) + upper[i + 1 :]).capitalize()
    return None


def _real(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _dob_digit(rng: random.Random, dob: date) -> date | None:
    digits = f"{dob.year:04d}{dob.month:02d}{dob.day:02d}"
    for _ in range(20):
        i = rng.choice((3, 4, 5, 6, 7, 7))  # year units, month, day: where slips land in practice
        changed = digits[:i] + rng.choice("0123456789") + digits[i + 1 :]
        found = _real(int(changed[:4]), int(changed[4:6]), int(changed[6:]))
        if found and found != dob and found.year <= 2026:
            return found
    return None


def _punctuation(rng: random.Random, family: str) -> str | None:
    if "-" in family or " " in family:
        return rng.choice(
            (family.replace("-", " "), family.replace("-", "").replace(" ", ""), family.replace(" ", "-"))
        )
    if "'" in family:
        return family.replace("'", rng.choice(("", " ")))
    return None


def corrupted(rng: random.Random, who: Person, error: str) -> Person | None:
    """`who` as a practitioner might mistype them with one `error`; None when it cannot apply."""
    if error == "typo_family":
        value = typo(rng, who.family)
        return replace(who, family=value) if value else None
    if error == "typo_given":
        value = typo(rng, who.given.split(" ")[0])
        return replace(who, given=value) if value else None
    if error == "phonetic_family":
        value = _sound_alike(rng, who.family)
        return replace(who, family=value) if value and value.upper() != who.family.upper() else None
    if error == "nickname":
        value = nickname(rng, who.given)
        return replace(who, given=value) if value else None
    if error == "swapped_names":
        return replace(who, given=who.family, family=who.given.split(" ")[0])
    if error == "spaced_given":
        first = who.given.split(" ")[0]
        if len(first) < 4:
            return None
        i = rng.randrange(2, len(first) - 1)
        return replace(who, given=f"{first[:i]} {first[i:]}".lower())
    if error == "punctuation_family":
        value = _punctuation(rng, who.family)
        return replace(who, family=value) if value and value != who.family else None
    if error == "dob_digit" and who.dob:
        dob = _dob_digit(rng, who.dob)
        return replace(who, dob=dob) if dob else None
    if error == "dob_swap" and who.dob:
        if who.dob.day > 12 or who.dob.day == who.dob.month:
            return None
        return replace(who, dob=who.dob.replace(day=who.dob.month, month=who.dob.day))
    if error == "year_off" and who.dob:
        return replace(who, dob=_real(who.dob.year + rng.choice((-1, 1)), who.dob.month, who.dob.day))
    if error == "moved_postcode":
        return replace(who, postcode=_postcode(rng, who.postcode.split(" ")[0]))
    if error == "missing_given":
        return replace(who, given="")
    if error == "previous_postcode" and who.former_postcodes:
        return replace(who, postcode=rng.choice(who.former_postcodes))
    return None


def error_class(rng: random.Random) -> str:
    return rng.choices(list(ERROR_RATES), weights=list(ERROR_RATES.values()))[0]
