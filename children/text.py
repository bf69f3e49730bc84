"""Which characters a child's record may hold in its text: one rule for every way a value gets in.

A feed row (feeds.validation) and a correction (corrections) both write names and addresses into the
record. A control, format (bidirectional override, zero-width), private-use or unassigned character
makes a value read differently from what is stored, folded and searched: "\\u202enotnrohT" shows as
"Thornton" to whoever decides on it, yet the record is then no longer found by "Thornton". So both
refuse them through `text_problem`, and a name must also be letters and the separators names use.
"""

import unicodedata

from matching.normalise import fold

# Control, format, private-use and unassigned: never part of a name or an address.
_INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cn"})
# A name is letters (any script, with their accents) and the separators names really use.
_NAME_PUNCTUATION = frozenset(" -'.\N{RIGHT SINGLE QUOTATION MARK}")

NOT_UNICODE = "is not valid Unicode text"
INVISIBLE = "contains control or invisible characters"
NOT_LETTERS = "may contain only letters, spaces, hyphens and apostrophes"
NO_LETTERS = "has no letters"


def _name_character(ch: str) -> bool:
    return ch.isalpha() or unicodedata.category(ch).startswith("M") or ch in _NAME_PUNCTUATION


def text_problem(text: str, *, name: bool = False) -> str | None:
    """Why `text` may not go into a record (a phrase that never repeats the value), or None if it may.

    `name`: the text is a person's name, so letters only (and spaces, hyphens, apostrophes, full
    stops), with at least one letter that survives folding. Callers put the phrase after the field's
    name ("family_name contains control or invisible characters"). Blank text has no problem here:
    whether a value is required is the caller's rule.
    """
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        return NOT_UNICODE  # a lone surrogate: could never be shown
    if any(unicodedata.category(ch) in _INVISIBLE for ch in text):
        return INVISIBLE
    if name and text:
        if not all(_name_character(ch) for ch in text):
            return NOT_LETTERS
        if not fold(text):
            return NO_LETTERS
    return None
