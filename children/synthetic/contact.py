"""Identifiers and contact details that look real, validate, and can never reach a real person.

- NHS numbers come from 999 000 0000-999 999 9999, the range the NHS sets aside for test patients,
  with a correct modulus-11 check digit (checked with the `nhs-number` package).
- Phone numbers come from Ofcom's drama ranges for geographic areas: valid to `phonenumbers`, never
  allocated to a subscriber.
- Email addresses use the RFC 2606 example domains, which never deliver mail.
"""

import random

import nhs_number

from children.synthetic.places import Place
from matching.normalise import fold

EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
NHS_SCHEME = "nhs_number"


def nhs_number_synthetic(rng: random.Random) -> str:
    """A valid NHS number in the test range, formatted as people write it (3-3-4)."""
    while True:
        body = f"999{rng.randrange(1_000_000):06d}"
        check = nhs_number.calculate_checksum(body)
        if check is not None and check < 10:
            number = f"{body}{check}"
            return f"{number[:3]} {number[3:6]} {number[6:]}"


def phone_number(rng: random.Random, place: Place) -> str:
    return f"{place.phone_prefix}{rng.randrange(1000):03d}"


def email_address(rng: random.Random, given: str, family: str) -> str:
    given_part, family_part = fold(given).lower(), fold(family).lower()
    local = rng.choice(
        (
            f"{given_part}.{family_part}",
            f"{given_part}{family_part}{rng.randint(1, 99)}",
            f"{given_part[:1]}{family_part}",
            f"{given_part}.{family_part}{rng.randint(70, 99)}",
        )
    )
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"
