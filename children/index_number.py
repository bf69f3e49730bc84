"""National index numbers: 9 random digits and a Damm check digit.

The Damm algorithm detects every single-digit error and every adjacent transposition, the two
mistakes people make when reading a number over the phone.
"""

import re
import secrets

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def check_digit(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return interim


_TEN_ASCII_DIGITS = re.compile(r"[0-9]{10}")


def is_valid(number: str) -> bool:
    """Ten ASCII digits (spaces allowed) with a good check digit. Not str.isdigit(): superscripts and
    other scripts' digits pass it, and int() (and so the Damm table) then fails on them."""
    compact = number.replace(" ", "")
    return bool(_TEN_ASCII_DIGITS.fullmatch(compact)) and check_digit(compact) == 0


def generate() -> str:
    body = "".join(str(secrets.randbelow(10)) for _ in range(9))
    if body[0] == "0":
        body = "1" + body[1:]
    return body + str(check_digit(body))


def formatted(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}"
