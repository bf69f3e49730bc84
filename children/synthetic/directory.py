"""The organisations synthetic children are linked to: LAs, schools, GP practices and services.

`directory_ensure` creates (once) a plausible set of accredited organisations for an LA profile;
`directory_load` takes a read-only snapshot of them, so generation itself never touches the database.
Organisation codes carry a `DEMO-` prefix and a role suffix (e.g. `DEMO-LDS-PRI-2`), which is how
generation tells a primary school from a secondary one without adding fields to the model.
"""

import random
import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from accounts.models import Organisation, OrganisationKind
from children.records import SensitiveCategory
from children.synthetic.contact import phone_number
from children.synthetic.places import PLACES, Place, address_lines, place_for, postcode

DEMO_PREFIX = "DEMO-"
ACCREDITED_ON = date(2024, 4, 1)
_ROLE_SUFFIX = re.compile(r"-([A-Z]+)(?:-\d+)?$")

# Suffix -> (kind, how many, name patterns). Names are filled from the LA's profile.
_SERVICES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "NUR": (OrganisationKind.SCHOOL, 1, ("{stem} Nursery", "Little {stem} Nursery")),
    "PRI": (
        OrganisationKind.SCHOOL,
        5,
        ("{stem} Primary School", "St {saint}'s Catholic Primary School", "{stem} C of E Primary School"),
    ),
    "SEC": (OrganisationKind.SCHOOL, 2, ("{stem} High School", "{town} Academy", "{stem} School")),
    "COL": (OrganisationKind.SCHOOL, 1, ("{town} Sixth Form College",)),
    "GP": (
        OrganisationKind.GP_PRACTICE,
        4,
        ("{stem} Medical Centre", "{stem} Surgery", "The {stem} Practice"),
    ),
    "HV": (OrganisationKind.HEALTH, 1, ("{la} Health Visiting Service",)),
    "SN": (OrganisationKind.HEALTH, 1, ("{la} School Nursing Service",)),
    "SC": (OrganisationKind.SOCIAL_CARE, 1, ("{la} Children's Social Care",)),
    "POL": (OrganisationKind.POLICE, 1, ("{police}",)),
    "YTH": (OrganisationKind.YOUTH, 1, ("{la} Youth Service",)),
    "SXH": (OrganisationKind.SENSITIVE, 1, ("{la} Young People's Sexual Health Clinic",)),
    "CMH": (OrganisationKind.SENSITIVE, 1, ("{la} CAMHS",)),
    "SUB": (OrganisationKind.SENSITIVE, 1, ("{la} Young People's Substance Misuse Service",)),
}
SENSITIVE_BY_SUFFIX = {
    "SXH": SensitiveCategory.SEXUAL_HEALTH,
    "CMH": SensitiveCategory.MENTAL_HEALTH,
    "SUB": SensitiveCategory.SUBSTANCE_MISUSE,
}
_STEMS = (
    "Oakwood", "Highfield", "Brookside", "Parkside", "Westfield", "Meadowbank", "Ashgrove", "Hillcrest",
    "Beechwood", "Fairfield", "Riverside", "Springbank", "Woodlands", "Greenhill", "Elmhurst", "Moorside",
)  # fmt: skip
_SAINTS = ("Mary", "Joseph", "Patrick", "Anne", "Peter", "Bernadette", "Teresa", "Augustine")
_SERVICE_BY_KIND: dict[str, str] = {
    OrganisationKind.HEALTH: "HV",
    OrganisationKind.SOCIAL_CARE: "SC",
    OrganisationKind.POLICE: "POL",
    OrganisationKind.YOUTH: "YTH",
}
NATIONAL_ORGANISATIONS = (
    ("DEMO-NAT-AUDIT", "ContactPoint National Audit"),
    ("DEMO-NAT-FEED", "Health Demographics Feed"),
    ("DEMO-NAT-OPS", "ContactPoint Service Operations"),
)


@dataclass
class LocalDirectory:
    """One LA's organisation ids, by the job they do for a child."""

    la_id: int
    place: Place
    settings: dict[str, list[int]] = field(default_factory=dict)
    gp_ids: list[int] = field(default_factory=list)
    services: dict[str, list[int]] = field(default_factory=dict)
    sensitive: dict[str, list[int]] = field(default_factory=dict)

    def setting(self, phase: str) -> list[int]:
        """Schools of a phase, or any school for LAs whose schools are not labelled by phase."""
        return self.settings.get(phase) or self.settings.get("ANY", [])

    def service(self, suffix: str) -> int | None:
        ids = self.services.get(suffix)
        return ids[0] if ids else None


@dataclass
class Directory:
    las: list[LocalDirectory]


def _place_key(la: Organisation) -> str:
    return la.code.removeprefix(DEMO_PREFIX) if la.code.startswith(DEMO_PREFIX) else f"L{la.pk}"


def _service_name(rng: random.Random, pattern: str, place: Place, la_name: str) -> str:
    return pattern.format(
        stem=rng.choice(_STEMS),
        saint=rng.choice(_SAINTS),
        town=rng.choice(place.towns),
        la=la_name.removesuffix(" City Council").removesuffix(" Council").removeprefix("London Borough of "),
        police=place.police,
    )


def _organisation(rng: random.Random, place: Place, **fields: object) -> Organisation:
    code = str(fields["code"])
    lines = address_lines(rng, place, rng.choice(_STEMS))
    org, _ = Organisation.objects.get_or_create(
        code=code,
        defaults={
            **fields,
            "address": f"{', '.join(lines)}, {postcode(rng, place)}",
            "phone": phone_number(rng, place),
            "email": f"{code.lower()}@example.org",
            "accredited_on": ACCREDITED_ON,
        },
    )
    return org


def directory_ensure_services(la: Organisation) -> None:
    """Give an LA the schools, GP practices and services children are linked to (idempotent)."""
    key = _place_key(la)
    place = place_for(key)
    rng = random.Random(f"directory:{key}")  # noqa: S311 - synthetic names, not secrets
    for suffix, (kind, count, patterns) in _SERVICES.items():
        for n in range(1, count + 1):
            code = f"{DEMO_PREFIX}{key}-{suffix}" + (f"-{n}" if count > 1 else "")
            name = _service_name(rng, patterns[(n - 1) % len(patterns)], place, la.name)
            _organisation(rng, place, code=code, name=name, kind=kind, local_authority=la)


@transaction.atomic
def directory_ensure(places: tuple[Place, ...] = PLACES[:4]) -> list[Organisation]:
    """The demo LAs with their services, and the national bodies; returns the LAs."""
    las = []
    for place in places:
        rng = random.Random(f"la:{place.key}")  # noqa: S311 - synthetic names, not secrets
        la = _organisation(
            rng, place, code=place.code, name=place.name, kind=OrganisationKind.LOCAL_AUTHORITY
        )
        directory_ensure_services(la)
        las.append(la)
    rng = random.Random("national")  # noqa: S311 - synthetic names, not secrets
    for code, name in NATIONAL_ORGANISATIONS:
        _organisation(rng, PLACES[0], code=code, name=name, kind=OrganisationKind.NATIONAL)
    return las


def _role(code: str) -> str:
    match = _ROLE_SUFFIX.search(code) if code.startswith(DEMO_PREFIX) else None
    return match.group(1) if match else ""


def _local_directory(la: Organisation, organisations: list[Organisation]) -> LocalDirectory:
    local = LocalDirectory(la_id=la.pk, place=place_for(_place_key(la)))
    for org in sorted(organisations, key=lambda o: o.code):
        role = _role(org.code)
        if org.kind == OrganisationKind.SCHOOL:
            local.settings.setdefault(role or "ANY", []).append(org.pk)
        elif org.kind == OrganisationKind.GP_PRACTICE:
            local.gp_ids.append(org.pk)
        elif org.kind == OrganisationKind.SENSITIVE:
            category = SENSITIVE_BY_SUFFIX.get(role, SensitiveCategory.MENTAL_HEALTH)
            local.sensitive.setdefault(category, []).append(org.pk)
        else:
            fallback = _SERVICE_BY_KIND.get(str(org.kind), "")
            local.services.setdefault(role or fallback, []).append(org.pk)
    return local


def directory_load(*, la_codes: list[str] | None = None) -> Directory:
    """A snapshot of every LA (or the named ones) and its organisations, ordered by code."""
    las = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("code")
    if la_codes:
        las = las.filter(code__in=la_codes)
    by_la: dict[int, list[Organisation]] = {}
    for org in Organisation.objects.filter(local_authority__in=las):
        by_la.setdefault(org.local_authority_id or 0, []).append(org)
    return Directory([_local_directory(la, by_la.get(la.pk, [])) for la in las])
