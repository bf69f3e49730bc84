"""Every dash (and the slash) splits a name as the hyphen does, and no name a record may hold is read
differently for it, so no stored blocking key changes.

`matching.normalise.name_forms` is the one function filing and searching both use (issue 9). It split at
the ASCII hyphen only, so "Smith\u2013Jones" typed in the search box had no part JONES. The separators it
now adds are characters a stored name can never hold (`children.text.text_problem`), so a record's keys
could change only if a character a name may hold became one of them in the forms `name_forms` reads: the
name as stored, and its compatibility form (NFKC) with look-alike letters read as Latin ones. NFKC is
NFKD then canonical composition: the first gives only characters of each stored character's NFKD, the
second only characters that have a canonical decomposition, and the look-alike step gives ASCII letters
or the character itself. So: no new separator is a character a name may hold, or in the NFKD of one, or
has a canonical decomposition; then every stored name's forms (and so keys) are what they were.
"""

import re
import unicodedata
from functools import cache

import pytest

from children.text import text_problem
from matching import normalise
from matching.normalise import NAME_SEPARATORS, name_forms

# The separators every stored key was filed under before the dashes were added: kept here as they were.
FILED_UNDER = re.compile(r"[\s\-'.\u2018\u2019\u02b9-\u02bf\u02c8\u02ca\u02cb\u02ee\ua78b\ua78c]+")
DASHES = ("\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\u2e3a", "\u2e3b", "\ufe58")


def _code_points():
    return (chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF)


@cache
def _newly_separators() -> frozenset[str]:
    return frozenset(
        c for c in _code_points() if NAME_SEPARATORS.fullmatch(c) and not FILED_UNDER.fullmatch(c)
    )


@cache
def _storable() -> tuple[str, ...]:
    """Every character a stored name may hold (after a letter, so that a lone mark is allowed)."""
    return tuple(c for c in _code_points() if text_problem(f"A{c}", name=True) is None)


@pytest.mark.parametrize("dash", [*DASHES, "/"])
def test_a_dash_or_slash_splits_a_name_as_the_hyphen_does(dash):
    assert name_forms(f"Smith{dash}Jones") == name_forms("Smith-Jones")
    assert name_forms(f"Holly{dash}Mae") == name_forms("Holly-Mae")


def test_every_unicode_dash_punctuation_splits_a_name():
    dashes = [c for c in _code_points() if unicodedata.category(c) == "Pd"]
    assert len(dashes) > 20
    for dash in dashes:
        assert name_forms(f"Smith{dash}Jones") >= {"SMITH", "JONES"}, f"U+{ord(dash):04X}"


def test_the_separators_filed_under_are_all_still_separators():
    assert all(NAME_SEPARATORS.fullmatch(c) for c in _code_points() if FILED_UNDER.fullmatch(c))


def test_no_character_a_stored_name_may_hold_is_or_becomes_a_new_separator():
    new = _newly_separators()
    assert new, "the dashes are separators"
    storable = _storable()
    assert len(storable) > 100_000  # every letter and mark of every script
    for c in storable:
        read_as = set(c) | set(unicodedata.normalize("NFKD", c)) | set(unicodedata.normalize("NFKC", c))
        assert not read_as & new, f"U+{ord(c):04X} is read with a new separator"
    # canonical composition makes only characters with a canonical decomposition: none of the new ones
    assert all(
        unicodedata.decomposition(c) in ("",) or unicodedata.decomposition(c).startswith("<") for c in new
    )


def test_the_forms_and_keys_of_names_with_compatibility_characters_are_as_filed(monkeypatch):
    """Directly, for every stored character whose compatibility form differs (where a hidden separator could
    come from): its forms with today's separators and with those it was filed under are the same."""
    odd = [c for c in _storable() if unicodedata.normalize("NFKC", c) != c]
    assert len(odd) > 1000
    names = [f"Ab{c}Cd" for c in odd] + ["O'Brien-Kelly", "Smith Jones", "Zo\u00eb St.John", "O\u2019Neil"]
    now = {name: name_forms.__wrapped__(name) for name in names}
    monkeypatch.setattr(normalise, "NAME_SEPARATORS", FILED_UNDER)
    before = {name: name_forms.__wrapped__(name) for name in names}
    assert now == before
