"""Canary values: distinctive synthetic personal data that must never appear in a dump or a log.

Each value is long and unusual enough that finding it by chance in ciphertext or digests is
negligible, so any hit is a real leak. `encodings` gives every form a careless copy might take:
plain, upper and lower case in UTF-8 and UTF-16, base64 (standard and URL-safe, any alignment), hex
in either case (PostgreSQL prints bytea as hex), JSON with non-ASCII escaped (`\u00eb`) and URL
encoding. `canary_hits` also opens every Django `signing` token it meets (sessions, signed cookies:
base64, then zlib when compressed) and looks inside. Some canaries are non-ASCII, so the UTF-8,
escaped and percent-encoded forms really differ.
"""

import base64
import json
import re
import unicodedata
import zlib
from datetime import date
from typing import Any
from urllib.parse import quote, quote_plus

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
CARER_NAME = "Zoë Ångström-Aldergrove"
CARER_PHONE = "07700 900461"
CARER_EMAIL = "p.aldergrove@example.net"
CARER_ADDRESS = "9 Kestrelmoor Gardens"
INVOLVEMENT_PHONE = "07700 900987"
INVOLVEMENT_EMAIL = "keyworker.canary@example.net"
PURPOSE_WORD = "Wystanhøllow"
PURPOSE_DETAIL = f"{PURPOSE_WORD} reported a concern"


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
        PURPOSE_WORD,
        *_date_forms(DOB),
        *_date_forms(SCHOOL_START),
    ]
    return values


def _base64_forms(raw: bytes, encode: Any = base64.b64encode) -> list[bytes]:
    """The part of base64 output that is the same wherever `raw` starts (3 alignments)."""
    forms = []
    for offset in range(3):
        encoded = encode(b"\0" * offset + raw).rstrip(b"=")
        total_bits = 8 * (offset + len(raw))
        first = -(-8 * offset // 6)
        last = total_bits // 6
        forms.append(encoded[first:last])
    return forms


def _json_escaped(text: str) -> set[str]:
    """`\u00eb` and `\u00eb`: JSON writers differ in the case of escapes."""
    escaped = json.dumps(text)[1:-1]
    return {escaped, re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m[1].upper(), escaped)}


def _percent_encoded(text: str) -> set[str]:
    """%C3%AB and %c3%ab, spaces as %20 or +."""
    forms = {quote(text, safe=""), quote_plus(text, safe="")}
    return forms | {re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), form) for form in forms}


def encodings(value: str) -> dict[str, bytes]:
    """Named byte patterns to look for; forms identical to the plain one are left out."""
    found: dict[str, bytes] = {}
    for case, text in (("plain", value), ("upper", value.upper()), ("lower", value.lower())):
        raw = text.encode()
        found[f"{case}/utf-8"] = raw
        found[f"{case}/utf-16-le"] = text.encode("utf-16-le")
        found[f"{case}/utf-16-be"] = text.encode("utf-16-be")
        found[f"{case}/utf-8-nfd"] = unicodedata.normalize("NFD", text).encode()
        for offset, form in enumerate(_base64_forms(raw)):
            found[f"{case}/base64+{offset}"] = form
        for offset, form in enumerate(_base64_forms(raw, base64.urlsafe_b64encode)):
            found[f"{case}/base64url+{offset}"] = form
        found[f"{case}/hex"] = raw.hex().encode()
        found[f"{case}/HEX"] = raw.hex().upper().encode()
        for n, escaped in enumerate(sorted(_json_escaped(text))):
            found[f"{case}/json-escaped{n}"] = escaped.encode()
        for n, encoded in enumerate(sorted(_percent_encoded(text))):
            found[f"{case}/url-encoded{n}"] = encoded.encode()
    unique: dict[str, bytes] = {}
    for name, pattern in found.items():
        if pattern not in unique.values() and (name == "plain/utf-8" or pattern != value.encode()):
            unique[name] = pattern
    return unique


# Django signing output: [.]base64url(payload)[:timestamp]:signature (a leading dot means zlib).
SIGNED_TOKEN = re.compile(
    rb"(?<![A-Za-z0-9_\-.])(\.?[A-Za-z0-9_-]{4,})(?::[A-Za-z0-9_-]{1,16})?:[A-Za-z0-9_-]{20,}"
)


def signed_payloads(blob: bytes) -> list[bytes]:
    """The decoded payload of every `signing`-shaped token in the bytes (undecodable ones skipped)."""
    payloads = []
    for match in SIGNED_TOKEN.finditer(blob):
        token = match[1]
        compressed = token.startswith(b".")
        body = token.lstrip(b".")
        try:
            data = base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4))
            payloads.append(zlib.decompress(data) if compressed else data)
        except (ValueError, zlib.error):
            continue
    return payloads


def canary_hits(blob: bytes, *, _depth: int = 0) -> list[str]:
    """'value (encoding)' for every canary found in the bytes: the list a test wants empty."""
    hits = [
        f"{value!r} ({name})"
        for value in canary_strings()
        for name, pattern in encodings(value).items()
        if pattern in blob
    ]
    if _depth < 2:
        for payload in signed_payloads(blob):
            hits += [f"{hit} in a signed payload" for hit in canary_hits(payload, _depth=_depth + 1)]
    return hits


def redis_contents(raw: Any) -> bytes:
    """Every key and value in a Redis database, whatever the value's type, as one blob to scan."""
    parts: list[bytes] = []
    for key in raw.scan_iter():
        parts.append(key)
        kind = raw.type(key)
        if kind == b"string":
            parts.append(raw.get(key) or b"")
        elif kind == b"hash":
            parts += [item for pair in raw.hgetall(key).items() for item in pair]
        elif kind == b"list":
            parts += raw.lrange(key, 0, -1)
        elif kind == b"set":
            parts += list(raw.smembers(key))
        elif kind == b"zset":
            parts += [member for member, _ in raw.zrange(key, 0, -1, withscores=True)]
        else:
            parts.append(raw.dump(key) or b"")
    return b"\n".join(parts)


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
    found = client.post(search, {"family_name": FAMILY, **dob}, follow=True)
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
