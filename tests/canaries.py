"""Canary values: distinctive synthetic personal data that must never appear in a dump or a log.

Each value is long and unusual enough that finding it by chance in ciphertext or digests is
negligible, so any hit is a real leak. `encodings` gives every form a careless copy might take.
"""

import base64
from datetime import date
from typing import Any

from django.test import Client
from django.urls import reverse

from accounts.models import User
from children.models import Child
from children.records import (
    Address,
    CarerDetails,
    ChildDetails,
    EducationalSetting,
    FormerName,
    Gender,
    SourceIdentifier,
)
from children.services import child_create
from tests.personas import PASSWORD, World

GIVEN = "Zephyrinella"
FAMILY = "Quillbottom"
FORMER_GIVEN = "Oriannelle"
FORMER_FAMILY = "Brackenwhistle"
DOB = date(2011, 2, 17)
POSTCODE = "YO62 7QZ"
ADDRESS_LINES = ["47 Marigoldwhistle Row", "Upper Thistlecombe"]
SCHOOL_START = date(2016, 9, 5)
NHS_NUMBER = "401 023 2137"
CARER_NAME = "Persephone Aldergrove"
CARER_PHONE = "07700 900461"
CARER_EMAIL = "p.aldergrove@example.net"
CARER_ADDRESS = "9 Kestrelmoor Gardens"
INVOLVEMENT_PHONE = "07700 900987"
INVOLVEMENT_EMAIL = "keyworker.canary@example.net"
PURPOSE_DETAIL = "Wystanhollow reported a concern"


def _date_forms(value: date) -> list[str]:
    return [value.isoformat(), value.strftime("%d/%m/%Y"), value.strftime("%Y%m%d")]


def canary_strings() -> list[str]:
    """Every canary, with the other written forms of dates, postcodes and numbers."""
    values = [
        GIVEN,
        FAMILY,
        FORMER_GIVEN,
        FORMER_FAMILY,
        POSTCODE,
        POSTCODE.replace(" ", ""),
        *ADDRESS_LINES,
        NHS_NUMBER,
        NHS_NUMBER.replace(" ", ""),
        CARER_NAME,
        CARER_PHONE,
        CARER_PHONE.replace(" ", ""),
        CARER_EMAIL,
        CARER_ADDRESS,
        INVOLVEMENT_PHONE,
        INVOLVEMENT_EMAIL,
        "Wystanhollow",
        *_date_forms(DOB),
        *_date_forms(SCHOOL_START),
    ]
    return values


def _base64_forms(raw: bytes) -> list[bytes]:
    """The part of base64 output that is the same wherever `raw` starts (3 alignments)."""
    forms = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).rstrip(b"=")
        total_bits = 8 * (offset + len(raw))
        first = -(-8 * offset // 6)
        last = total_bits // 6
        forms.append(encoded[first:last])
    return forms


def encodings(value: str) -> dict[str, bytes]:
    """Named byte patterns to look for: plain, upper, lower, UTF-16 LE/BE and base64."""
    found: dict[str, bytes] = {}
    for case, text in (("plain", value), ("upper", value.upper()), ("lower", value.lower())):
        found[f"{case}/utf-8"] = text.encode()
        found[f"{case}/utf-16-le"] = text.encode("utf-16-le")
        found[f"{case}/utf-16-be"] = text.encode("utf-16-be")
        for offset, form in enumerate(_base64_forms(text.encode())):
            found[f"{case}/base64+{offset}"] = form
    return found


def canary_hits(blob: bytes) -> list[str]:
    """'value (encoding)' for every canary found in the bytes: the list a test wants empty."""
    return [
        f"{value!r} ({name})"
        for value in canary_strings()
        for name, pattern in encodings(value).items()
        if pattern in blob
    ]


def seed_canary_child(world: World) -> Child:
    """A child whose every personal field is a canary, with a carer, through the real service."""
    details = ChildDetails(
        given_names=GIVEN,
        family_name=FAMILY,
        gender=Gender.FEMALE,
        date_of_birth=DOB,
        address=Address(lines=list(ADDRESS_LINES), postcode=POSTCODE),
        former_names=[FormerName(FORMER_GIVEN, FORMER_FAMILY)],
        educational_setting=EducationalSetting(world.north_school.pk, SCHOOL_START),
        gp_practice_id=world.north_gp.pk,
        source_identifiers=[SourceIdentifier("nhs_number", NHS_NUMBER, world.north_gp.pk)],
    )
    carers = [
        CarerDetails(
            name=CARER_NAME,
            relationship="mother",
            phone=CARER_PHONE,
            email=CARER_EMAIL,
            address=CARER_ADDRESS,
        )
    ]
    return child_create(local_authority=world.north, details=details, carers=carers)


def _second_factor(client: Client, user: User) -> None:
    """Enter the TOTP code when sign-in has a second factor (the accounts work); else nothing to do."""
    try:
        from tests.journeys import current_code, totp_device
    except ImportError:
        return
    response = client.post(reverse("accounts:mfa"), {"code": current_code(totp_device(user))})
    assert response.status_code == 302, response.status_code


def signed_in_client(user: User, **options: Any) -> Client:
    """A client past every sign-in step, without driving the forms (for error-path requests)."""
    try:
        from tests.journeys import signed_in
    except ImportError:
        client = Client(**options)
        client.force_login(user)
        return client
    client = signed_in(user)
    for name, value in options.items():
        setattr(client, name, value)
    return client


def practitioner_journey(client: Client, child: Child, user: User) -> None:
    """Sign in, search (found, not found, refused), state a purpose, view, record an involvement.

    Every value typed is a canary, so whatever the journey leaves behind (sessions, audit rows,
    log lines) can be checked for them.
    """
    signed_in = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert signed_in.status_code == 302
    _second_factor(client, user)
    search = reverse("children:search")
    dob = {"dob_day": DOB.day, "dob_month": DOB.month, "dob_year": DOB.year}
    found = client.post(search, {"family_name": FAMILY, **dob})
    assert str(child.pk) in found.content.decode()
    client.post(search, {"family_name": FAMILY, "given_name": GIVEN, "gender": "female"})
    client.post(search, {"family_name": FAMILY, "postcode": POSTCODE})
    client.post(search, {"family_name": FAMILY, "dob_day": 30, "dob_month": 2, "dob_year": DOB.year})
    client.post(search, {"family_name": FAMILY, "given_name": GIVEN})
    client.post(search, {"family_name": FORMER_FAMILY, "dob_day": 1, "dob_month": 1, "dob_year": 2001})
    purpose = client.post(
        reverse("children:purpose", args=[child.pk]), {"purpose": "other", "detail": PURPOSE_DETAIL}
    )
    assert purpose.status_code == 302
    record = client.get(reverse("children:record", args=[child.pk]))
    assert FAMILY in record.content.decode()
    recorded = client.post(
        reverse("children:involvement_new", args=[child.pk]),
        {
            "role": "Key worker",
            "phone": INVOLVEMENT_PHONE,
            "email": INVOLVEMENT_EMAIL,
            "start_day": SCHOOL_START.day,
            "start_month": SCHOOL_START.month,
            "start_year": SCHOOL_START.year,
        },
    )
    assert recorded.status_code == 302
    assert INVOLVEMENT_PHONE in client.get(reverse("children:record", args=[child.pk])).content.decode()
