"""The mistakes people make keying a child's details, to test feeds, linkage and search against.

Each function returns a changed copy, or None when the mistake cannot apply (e.g. a date whose day is
above 12 cannot be transposed): callers then know the record is unchanged, instead of silently testing
a clean record. `details_mistaken` applies one mistake to a whole record and names it.
"""

import random
from dataclasses import replace
from datetime import date
from functools import lru_cache

from nicknames import NickNamer

from children.records import ChildDetails

# Neighbours on a UK QWERTY keyboard: the most common substitution typos.
_NEIGHBOURS = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm",
    "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji",
    "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}  # fmt: skip
TYPO_KINDS = ("substitute", "delete", "double", "swap")
MISTAKE_KINDS = (
    "typo_family",
    "typo_given",
    "dob_transposed",
    "nickname",
    "hyphen_dropped",
    "apostrophe_dropped",
)


def _match_case(template: str, char: str) -> str:
    return char.upper() if template.isupper() else char


def typo(rng: random.Random, text: str, kind: str | None = None) -> str | None:
    """One keying slip in a letter: a neighbouring key, a dropped or doubled letter, or two swapped."""
    positions = [i for i, c in enumerate(text) if c.isalpha()]
    if len(positions) < 2:
        return None
    kind = kind or rng.choice(TYPO_KINDS)
    i = rng.choice(positions)
    char = text[i]
    if kind == "substitute":
        options = _NEIGHBOURS.get(char.lower())
        if not options:
            return None
        return text[:i] + _match_case(char, rng.choice(options)) + text[i + 1 :]
    if kind == "delete":
        return text[:i] + text[i + 1 :]
    if kind == "double":
        return text[: i + 1] + char.lower() + text[i + 1 :] if i else text[:1] + text[:1].lower() + text[1:]
    swappable = [
        p for p in positions if p + 1 < len(text) and text[p + 1].isalpha() and text[p] != text[p + 1]
    ]
    if kind != "swap" or not swappable:
        return None
    j = rng.choice(swappable)
    first, second = text[j], text[j + 1]
    return text[:j] + _match_case(first, second.lower()) + _match_case(second, first.lower()) + text[j + 2 :]


def dob_transposed(dob: date) -> date | None:
    """Day and month swapped (3 April keyed as 4 March), when that is a different real date."""
    if dob.day > 12 or dob.day == dob.month:
        return None
    return dob.replace(month=dob.day, day=dob.month)


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


def nickname(rng: random.Random, given_names: str) -> str | None:
    """The first given name replaced by a familiar form (William -> Bill), middle names dropped."""
    first = given_names.split(" ")[0]
    forms = sorted(n for n in _nicknamer().nicknames_of(first.lower()) if n.isalpha() and n != first.lower())
    return rng.choice(forms).capitalize() if forms else None


def hyphen_dropped(rng: random.Random, family_name: str) -> str | None:
    """A compound family name keyed with a space, run together, or cut to one part."""
    parts = [p for p in family_name.replace("-", " ").split(" ") if p]
    if len(parts) < 2:
        return None
    options = [" ".join(parts), "".join(parts), parts[0], parts[-1]]
    options = [o for o in options if o != family_name]
    return rng.choice(options)


def apostrophe_dropped(family_name: str) -> str | None:
    """O'Brien keyed as OBrien or O Brien."""
    if "'" not in family_name:
        return None
    return family_name.replace("'", "")


def details_mistaken(
    rng: random.Random, details: ChildDetails, kind: str | None = None
) -> tuple[ChildDetails, str] | None:
    """A copy of a child's details with one mistake, and which; None if that kind cannot apply."""
    kind = kind or rng.choice(MISTAKE_KINDS)
    changed: ChildDetails | None = None
    if kind == "typo_family":
        value = typo(rng, details.family_name)
        changed = replace(details, family_name=value) if value else None
    elif kind == "typo_given":
        value = typo(rng, details.given_names)
        changed = replace(details, given_names=value) if value else None
    elif kind == "dob_transposed":
        dob = dob_transposed(details.date_of_birth)
        changed = replace(details, date_of_birth=dob) if dob else None
    elif kind == "nickname":
        value = nickname(rng, details.given_names)
        changed = replace(details, given_names=value) if value else None
    elif kind == "hyphen_dropped":
        value = hyphen_dropped(rng, details.family_name)
        changed = replace(details, family_name=value) if value else None
    elif kind == "apostrophe_dropped":
        value = apostrophe_dropped(details.family_name)
        changed = replace(details, family_name=value) if value else None
    else:
        raise ValueError(f"unknown mistake {kind!r}")
    return (changed, kind) if changed else None
