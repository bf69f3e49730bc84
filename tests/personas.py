"""Test personas in one place (synthetic people only).

Alice is a social worker in North; Bob is a GP in South ("should have no special access to North's
shielded children"); Olivia holds the shield override (police, South); Lena is North's LA team;
Sam is suspended; Tom's training has lapsed; Nadia is a national auditor; Dara a data manager.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, Role, User
from children.models import Child
from children.records import Address, CarerDetails, ChildDetails, EducationalSetting, Gender, SourceIdentifier
from children.services import child_create

PASSWORD = "correct horse battery staple 42"


@dataclass
class World:
    north: Organisation
    south: Organisation
    north_social_care: Organisation
    north_school: Organisation
    north_gp: Organisation
    south_gp: Organisation
    south_police: Organisation
    alice: User
    bob: User
    olivia: User
    lena: User
    sam: User
    tom: User
    nadia: User
    dara: User


def _org(kind: str, name: str, code: str, la: Organisation | None = None) -> Organisation:
    return Organisation.objects.create(
        kind=kind,
        name=name,
        code=code,
        local_authority=la,
        phone="0300 000 0000",
        email=f"{code.lower()}@example.org",
        accredited_on=date(2020, 1, 1),
    )


def make_user(
    username: str, organisation: Organisation, role: str = Role.PRACTITIONER, **overrides: object
) -> User:
    today = timezone.localdate()
    fields: dict[str, object] = {
        "first_name": username.capitalize(),
        "last_name": "Example",
        "email": f"{username}@example.org",
        "organisation": organisation,
        "role": role,
        "background_check_on": today - timedelta(days=100),
        "training_completed_on": today - timedelta(days=30),
        "agreement_signed_on": today - timedelta(days=30),
        "phone": "0300 111 2222",
    }
    fields.update(overrides)
    return User.objects.create_user(username=username, password=PASSWORD, **fields)  # type: ignore[arg-type]


def build_world() -> World:
    north = _org(OrganisationKind.LOCAL_AUTHORITY, "Northshire Council", "LA-N")
    south = _org(OrganisationKind.LOCAL_AUTHORITY, "Southborough Council", "LA-S")
    north_social_care = _org(OrganisationKind.SOCIAL_CARE, "Northshire Children's Services", "SC-N", north)
    north_school = _org(OrganisationKind.SCHOOL, "Northshire Primary School", "URN-1", north)
    north_gp = _org(OrganisationKind.GP_PRACTICE, "North Road Surgery", "GP-N", north)
    south_gp = _org(OrganisationKind.GP_PRACTICE, "South Street Surgery", "GP-S", south)
    south_police = _org(OrganisationKind.POLICE, "Southborough Police", "POL-S", south)
    today = timezone.localdate()
    return World(
        north=north,
        south=south,
        north_social_care=north_social_care,
        north_school=north_school,
        north_gp=north_gp,
        south_gp=south_gp,
        south_police=south_police,
        alice=make_user("alice", north_social_care),
        bob=make_user("bob", south_gp),
        olivia=make_user("olivia", south_police, Role.OVERRIDE_HOLDER),
        lena=make_user("lena", north, Role.LA_TEAM),
        sam=make_user("sam", north_social_care, suspended_at=timezone.now()),
        tom=make_user("tom", north_social_care, training_completed_on=today - timedelta(days=400)),
        nadia=make_user(
            "nadia", _org(OrganisationKind.NATIONAL, "National Audit", "NAT-1"), Role.NATIONAL_AUDITOR
        ),
        dara=make_user("dara", north, Role.DATA_MANAGER),
    )


def make_child(
    world: World,
    *,
    given_names: str = "Amelia",
    family_name: str = "Thornton",
    date_of_birth: date = date(2015, 3, 4),
    gender: str = Gender.FEMALE,
    postcode: str = "LS1 4AB",
    shielded: bool = False,
    la: Organisation | None = None,
    town: str = "Leeds",
    **extra: object,
) -> Child:
    details = ChildDetails(
        given_names=given_names,
        family_name=family_name,
        gender=gender,
        date_of_birth=date_of_birth,
        address=Address(lines=["12 Quarry Lane", town], postcode=postcode),
        educational_setting=EducationalSetting(world.north_school.pk, date(2020, 9, 1)),
        gp_practice_id=world.north_gp.pk,
        source_identifiers=[SourceIdentifier("nhs_number", "943 476 5919", world.north_gp.pk)],
        **extra,  # type: ignore[arg-type]
    )
    carers = [CarerDetails(name="Grace Thornton", relationship="mother", phone="07700 900123")]
    return child_create(local_authority=la or world.north, details=details, carers=carers, shielded=shielded)
