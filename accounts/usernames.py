"""Usernames that cannot pass for one another.

A username is how colleagues, the LA team and the audit reports tell people apart. "dem\u043e-teacher"
(a Cyrillic o) reads as "demo-teacher", so a new name is refused when it is mixed-script, or when its
skeleton (Unicode TR39's idea: NFKC, case-folded, each character replaced by the prototype of its
confusables class, from the Unicode confusables data shipped by confusable-homoglyphs) equals an
existing account's. Django's own username validator already refuses controls, spaces, emoji and markup.
"""

import unicodedata
from functools import cache

from confusable_homoglyphs import confusables

BIDI_MARKS = "\u200e\u200f"
# The longest username an account can have: `User.username`'s column (Django's AbstractUser), which the
# invitation form checks after normalising. Sign-in never normalises a longer name (`accounts.ratelimit`).
USERNAME_MAX_LENGTH = 150


@cache
def _prototype(character: str) -> str:
    """One representative per confusables class: ASCII where the class has it, else the lowest code point."""
    candidates = {character}
    for found in confusables.is_confusable(character, greedy=True) or []:
        for homoglyph in found["homoglyphs"]:
            glyph = homoglyph["c"].strip(BIDI_MARKS)
            if len(glyph) == 1:
                candidates.add(glyph)
    return min(candidates, key=lambda c: (not c.isascii(), ord(c)))


def username_skeleton(username: str) -> str:
    folded = unicodedata.normalize("NFKC", username).casefold()
    return "".join(_prototype(c) for c in folded).casefold()


def is_mixed_script(username: str) -> bool:
    return bool(confusables.is_mixed_script(unicodedata.normalize("NFKC", username)))
