"""Normalisation of names and postcodes, so equal things compare equal whatever the typing."""

import re
import unicodedata
from functools import lru_cache

import jellyfish
from nicknames import NickNamer

_NON_LETTERS = re.compile(r"[^A-Z]")
_SEPARATORS = re.compile(r"[\s\-']+")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")


def fold(text: str) -> str:
    """Upper case ASCII letters only: 'O'Brien-Zoë' -> 'OBRIENZOE'."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = decomposed.encode("ascii", "ignore").decode()
    return _NON_LETTERS.sub("", ascii_only.upper())


def name_variants(name: str) -> set[str]:
    """The whole name and each part of a hyphenated or double-barrelled name, folded."""
    parts = [fold(p) for p in _SEPARATORS.split(name) if fold(p)]
    variants = set(parts)
    whole = fold(name)
    if whole:
        variants.add(whole)
    return variants


def phonetic(name: str) -> str:
    """NYSIIS code of a folded name: built for surnames, tolerant of common spelling variants."""
    folded = fold(name)
    return jellyfish.nysiis(folded) if folded else ""


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=20_000)
def given_name_forms(name: str) -> frozenset[str]:
    """A given name with the formal names it may be short for: 'Bill' -> {BILL, WILLIAM, ...}."""
    first = _SEPARATORS.split(name.strip())[0] if name.strip() else ""
    folded = fold(first)
    if not folded:
        return frozenset()
    forms = {folded} | {fold(c) for c in _nicknamer().canonicals_of(first.lower())}
    return frozenset(f for f in forms if f)


def normalise_postcode(postcode: str) -> str | None:
    """'sw1a 1aa' -> 'SW1A 1AA'; None when it is not shaped like a UK postcode."""
    compact = re.sub(r"\s+", "", postcode.upper())
    match = _POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


def postcode_outward(postcode: str) -> str:
    return postcode.split(" ")[0]
