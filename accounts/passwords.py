"""Passwords an attacker tries first that Django's validators let through (NIST SP 800-63B, 5.1.1.2).

Django's validators (length, its list of 20,000 common passwords, similarity to the person's names,
entirely numeric) pass "ContactPoint2026", twelve spaces, "aaaaaaaaaaaa", "passwordpassword" and
"qwertyuiopas". The guidance names these: repetitive or sequential characters, and context-specific
words such as the name of the service.
"""

import re
import unicodedata

SERVICE_NAMES = ("contactpoint",)
# Runs a keyboard or the alphabet gives, read forwards or backwards ("abcdefghijkl", "qwertyuiopas").
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "1234567890-=",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertyuiop[]asdfghjkl;'#zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)


# Spaces, control characters and the format characters that show nothing (zero-width, direction marks,
# the soft hyphen, the byte order mark, tags): one pattern, so a long password costs one pass in C.
_SHOWS_NOTHING = re.compile(
    "[\\s\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\u0890\u0891\u08e2\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]")


def _core(password: str) -> str:
    """What is left to guess: case-folded, without spaces, and without characters that show nothing."""
    return _SHOWS_NOTHING.sub("", unicodedata.normalize("NFKC", password).casefold())


def _repeats_a_shorter_part(core: str) -> bool:
    """ "aaaa", "abcabc", "passwordpassword": the whole is one shorter part said again and again (then,
    and only then, it turns up inside itself doubled, off its two ends: one search, whatever the length)."""
    return core in (core + core)[1:-1]


def _in_a_sequence(core: str) -> bool:
    return any(core in run or core in run[::-1] for run in SEQUENCES)


def password_guessable(password: str) -> bool:
    """True for a password made of nothing visible, one part repeated, a run of the keyboard or the
    alphabet, or one naming the service."""
    core = _core(password)
    letters = _NOT_LETTER_OR_DIGIT.sub("", core)
    return (
        len(core) < 2
        or _repeats_a_shorter_part(core)
        or _in_a_sequence(core)
        or any(name in letters for name in SERVICE_NAMES)
    )
