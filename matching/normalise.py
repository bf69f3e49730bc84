"""Normalisation of names and postcodes, so equal things compare equal whatever the typing.

`name_forms` is the one way a name becomes comparable strings: blocking (lookup) and scoring both
call it, so the engine never looks a name up one way and judges it another ("hol ly" is HOLLY to
both, and each part of "Smith-Jones" is a form of it).
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import jellyfish
from anyascii import anyascii
from confusable_homoglyphs import confusables
from nicknames import NickNamer

_NON_LETTERS = re.compile(r"[^A-Z]")
# The separators a name may hold (`children.text`): spaces, hyphens, full stops ("St.John", "J.R.") and
# apostrophes, the typewriter one and those a phone or word processor types for it (right and left single
# quotation marks, the modifier letter apostrophe). Split at the typewriter apostrophe only, "O\u2019Brien"
# lost the parts O'Brien has (O, BRIEN); not split at a full stop, "Murphy.Kelly" had no KELLY: either row,
# a date one digit out, met none of a shielded child's keys and was created visible. So too the other
# letters drawn as an apostrophe, which a name may hold as letters: the prime and double prime, turned and
# reversed commas, half rings and vertical line (U+02B9 to U+02C8), the modifier acute and grave accents
# (U+02CA, U+02CB: drawn as the accents many keyboards type for an apostrophe), the double apostrophe
# (U+02EE) and the saltillo (U+A78B, U+A78C); folding drops them, and not splitting at them was the same
# bypass ("O\u02b9Brien", "O\u02caBrien").
# Every dash too (Unicode dash punctuation, Pd: the hyphen U+2010, the non-breaking hyphen U+2011, the figure,
# en and em dashes, the Armenian hyphen, the Hebrew maqaf, ...), the minus sign and hyphen bullet, and the
# slashes: what a phone, a word processor or copied text puts where a hyphen was meant, and what some people
# type between the two halves of a name. A stored name never holds one (`children.text` refuses them), so
# only a typed search could: "Smith\u2011Jones" was the one form SMITHJONES, its part JONES never looked up
# or compared, and the child recorded as Jones was "No children found". Adding them changes no stored
# name's forms or keys (matching/tests/test_dashes_split_names_and_leave_stored_keys_unchanged.py).
_DASHES = (
    "\u058a\u05be\u1400\u1806\u2010-\u2015\u2043\u2212\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d"
    "\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead"
)
_SLASHES = "/\u2044\u2215\uff0f"
NAME_SEPARATORS = re.compile(
    rf"[\s\-'.\u2018\u2019\u02b9-\u02bf\u02c8\u02ca\u02cb\u02ee\ua78b\ua78c{_DASHES}{_SLASHES}]+"
)
# ASCII digits only: `\d` in a text pattern is any script's decimal digit (see `_postcode_text`).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def not_utf8(texts: Iterable[object]) -> bool:
    """True if any text holds bytes that were not UTF-8: a file read with `surrogateescape` keeps them
    as lone surrogates (U+DC80 to U+DCFF), so one bad row is refused alone instead of stopping the file.
    Shared by the feed parsers and `link_file`; anything that is not text is ignored."""
    return any("\udc80" <= ch <= "\udcff" for text in texts if isinstance(text, str) for ch in text)


def fold(text: str) -> str:
    """Upper case ASCII letters only, every script transliterated: 'O'Brien-Zoë' -> 'OBRIENZOE',
    'Анна' -> 'ANNA', 'Strauß' -> 'STRAUSS'.

    Transliterating (anyascii) rather than dropping what is not ASCII matters for the shield: a name in
    another script would otherwise fold to nothing and file no name key at all, and a Cyrillic a
    (U+0430) in 'Jasmine' (identical on screen) would make another key; either way a feed record of a shielded
    child could miss it and be created visible. Both now meet the Latin name's keys.
    """
    return _NON_LETTERS.sub("", anyascii(text).upper())


@lru_cache(maxsize=4096)
def _latin_lookalike(character: str) -> str:
    """The ASCII letter a letter of another script passes for on screen (Cyrillic Er for p, En for H),
    from the Unicode confusables data; the character itself when it passes for none."""
    if character.isascii():
        return character
    letters = sorted(
        glyph
        for found in confusables.is_confusable(character, greedy=True) or []
        for homoglyph in found["homoglyphs"]
        if len(glyph := homoglyph["c"]) == 1 and glyph.isascii() and glyph.isalpha()
    )
    return letters[0] if letters else character


def _forms(name: str) -> set[str]:
    parts = [fold(p) for p in NAME_SEPARATORS.split(name)]
    forms = {p for p in parts if p}
    whole = fold(name)
    if whole:
        forms.add(whole)
    return forms


@lru_cache(maxsize=50_000)
def name_forms(name: str) -> frozenset[str]:
    """The whole name run together and each of its parts, folded: 'Smith-Jones' -> SMITHJONES, SMITH, JONES.

    Running the parts together makes a stray space harmless ("hol ly" -> HOLLY); keeping each part lets
    one half of a double-barrelled name, or one of several given names, match on its own.

    A name with letters of another script also has the forms of the Latin letters they look like:
    transliteration reads them by sound ("Holly" typed with Cyrillic En, O and U reads NOLLU), but a
    name typed to pass for "Holly" must meet Holly's keys, or a feed row about a shielded Holly would
    find nothing and be created.
    """
    forms = _forms(name)
    if not name.isascii():
        lookalike = "".join(_latin_lookalike(c) for c in unicodedata.normalize("NFKC", name))
        if lookalike != name:
            forms |= _forms(lookalike)
    return frozenset(forms)


def name_variants(name: str) -> set[str]:
    """The forms of a name as a set (kept for callers outside the engine, e.g. oversight)."""
    return set(name_forms(name))


def primary_form(name: str) -> str:
    """The name as one folded word (what a typed name is most likely to be): 'hol ly' -> HOLLY."""
    return fold(name)


@lru_cache(maxsize=50_000)
def phonetic(name: str) -> str:
    """NYSIIS code of a folded name: built for surnames, tolerant of common spelling variants.

    Cached: scoring asks again for the same forms with every candidate of a search, and filing one
    child asks for the same few names' codes several times (each key kind).
    """
    folded = fold(name)
    return _nysiis(folded) if folded else ""


@lru_cache(maxsize=50_000)
def _nysiis(folded: str) -> str:
    return str(jellyfish.nysiis(folded))


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=20_000)
def formal_names(form: str) -> frozenset[str]:
    """A folded given name with the formal names it may be short for: BILL -> {BILL, WILLIAM, ...}."""
    if not form:
        return frozenset()
    canonicals = {fold(c) for c in _nicknamer().canonicals_of(form.lower())}
    return frozenset({form} | {c for c in canonicals if c})


@lru_cache(maxsize=20_000)
def given_name_forms(name: str) -> frozenset[str]:
    """Every form of a given name and the formal names each may be short for."""
    forms: set[str] = set()
    for form in name_forms(name):
        forms |= formal_names(form)
    return frozenset(forms)


def _postcode_text(postcode: str) -> str:
    """The postcode in ASCII capitals where it was typed in another form of the same characters.

    Full-width letters and digits (an East Asian input method) become ASCII (NFKC), and so does every
    other decimal digit (Arabic-Indic, Devanagari): a postcode is stored and filed under its keys as the
    LA team typed it, and "LS\uff16 2QT" kept as it was never met the keys of LS6 2QT, so a feed row about a
    shielded child sharing only its address found nothing and was created visible. Anything left that is
    not ASCII makes no postcode (the patterns match ASCII only).
    """
    if postcode.isascii():  # nearly always: a stored postcode read for every candidate of a search
        return postcode.upper()
    text = unicodedata.normalize("NFKC", postcode)
    return "".join(str(unicodedata.decimal(ch, ch)) for ch in text).upper()


def normalise_postcode(postcode: str) -> str | None:
    """'sw1a 1aa' -> 'SW1A 1AA'; None when it is not shaped like a full UK postcode."""
    compact = re.sub(r"\s+", "", _postcode_text(postcode))
    match = _POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


def normalise_partial_postcode(postcode: str) -> str | None:
    """A full postcode, a sector ('LS1 4') or a district ('LS1'), normalised; None otherwise.

    People often know only the start of a postcode; a sector or district is still a useful criterion
    with a date of birth.
    """
    full = normalise_postcode(postcode)
    if full:
        return full
    words = _postcode_text(postcode).split()
    if len(words) == 1 and _DISTRICT.match(words[0]):
        return words[0]  # 'LS14' is the district LS14, never the sector 'LS1 4'
    if len(words) == 2 and _DISTRICT.match(words[0]) and re.fullmatch(r"[0-9]", words[1]):
        return f"{words[0]} {words[1]}"
    return None


def postcode_outward(postcode: str) -> str:
    """The district ('LS1' of 'LS1 4AB')."""
    return postcode.split(" ")[0]


def postcode_sector(postcode: str) -> str | None:
    """The sector ('LS1 4' of 'LS1 4AB'); None for a bare district."""
    outward, _, inward = postcode.partition(" ")
    return f"{outward} {inward[0]}" if inward else None


def postcode_granularity(postcode: str) -> str:
    """'full', 'sector' or 'district': how much of a postcode was given."""
    _, _, inward = postcode.partition(" ")
    if len(inward) == 3:
        return "full"
    return "sector" if inward else "district"
