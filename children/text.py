"""Which characters a child's record may hold in its text: one rule for every way a value gets in.

A feed row (feeds.validation) and a correction (corrections) both write names and addresses into the
record. A control, format (bidirectional override, zero-width), private-use or unassigned character
makes a value read differently from what is stored, folded and searched: "\\u202enotnrohT" shows as
"Thornton" to whoever decides on it, yet the record is then no longer found by "Thornton". So both
refuse them through `text_problem`, and a name must also be letters and the separators names use.
"""

import unicodedata

from matching.normalise import NAME_SEPARATORS, fold

# Control, format, private-use and unassigned: never part of a name or an address. Line and paragraph
# separators too: a line break inside a one-line value.
_INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cn", "Zl", "Zp"})
# The default ignorable code points (Unicode DerivedCoreProperties) that are not in the categories above:
# letters (Lo: the Hangul fillers) and marks (Mn: the combining grapheme joiner, the variation selectors,
# the Mongolian free variation selectors, the Khmer inherent vowels) that show nothing, so that
# "Jones\u3164Smith" reads as "Jones Smith" yet is looked up as one word. And the blank Braille cell
# (So), which draws as a space. Pinned by children/tests/test_text_refuses_blank_letters.py.
_SHOWS_NOTHING = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180D),
    (0x180F, 0x180F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
)
# Combining marks one letter may carry: Vietnamese carries two, pointed Hebrew three; more is a pile
# drawn over the lines above and below it.
_MARKS_PER_LETTER = 4
# A name is letters (any script, with their accents) and the separators names really use.
_NAME_PUNCTUATION = frozenset(" -'.\N{RIGHT SINGLE QUOTATION MARK}")

# The most parts (words, split as the engine splits them: `matching.normalise.NAME_SEPARATORS`) one name
# may have, however it gets into a record (a feed row, a correction, a new identity). A record is filed
# under blocking keys that pair the forms of its given and family names (doubled by letters that pass for
# Latin ones), and every writer that finds or changes a child by its keys (a feed row, a shield, a
# transfer, a merge) takes one advisory lock per key (`children.key_locks`): 33 parts in each name took
# 24,584 locks, past PostgreSQL's shared lock table (a 500 at every later write to that child, every other
# session's locks failing meanwhile). At 6 parts in each name, at most about 2,800
# (feeds/tests/test_rows_with_names_of_many_parts.py).
NAME_PARTS_MOST = 6

NOT_UNICODE = "is not valid Unicode text"
INVISIBLE = "contains control or invisible characters"
NOT_LETTERS = "may contain only letters, spaces, hyphens, apostrophes and full stops"
NO_LETTERS = "has no letters"
MARKS = "has too many accents on one letter"
# For a form, after the field's label ("The family name must be 6 parts or fewer (...)").
TOO_MANY_PARTS = (
    f"must be {NAME_PARTS_MOST} parts or fewer (words, or parts joined by a hyphen, apostrophe or full stop)"
)


def _shows_nothing(ch: str) -> bool:
    code = ord(ch)
    if code < 0x034F:  # every ASCII and Latin-1 character: most of what is ever typed
        return False
    return any(low <= code <= high for low, high in _SHOWS_NOTHING)


def _marks_piled(text: str) -> bool:
    run = 0
    for ch in text:
        run = run + 1 if unicodedata.category(ch).startswith("M") else 0
        if run > _MARKS_PER_LETTER:
            return True
    return False


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
    if any(unicodedata.category(ch) in _INVISIBLE or _shows_nothing(ch) for ch in text):
        return INVISIBLE
    if _marks_piled(text):
        return MARKS
    if name and text:
        if not all(_name_character(ch) for ch in text):
            return NOT_LETTERS
        if not fold(text):
            return NO_LETTERS
    return None


def name_parts(text: str) -> int:
    """The parts of a name as the engine reads them (`matching.normalise.name_forms`): as typed, and in its
    compatibility form (NFKC, where look-alike letters are read), which can hold more (a letter such as
    U+FE7E is a space and a mark there). Parts with no letter to fold are none."""
    return max(
        len([part for part in NAME_SEPARATORS.split(form) if fold(part)])
        for form in (text, unicodedata.normalize("NFKC", text))
    )


def name_too_long(text: str) -> bool:
    """True if the name has more parts than a record may be filed under (`NAME_PARTS_MOST`): every way a
    name gets into a record refuses it, the feed by row and the forms in words."""
    return name_parts(text) > NAME_PARTS_MOST
