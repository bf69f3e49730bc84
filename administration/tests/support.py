"""The system administrator persona and a valid organisation form, shared by the administration tests."""

from accounts.models import Role, User
from tests.personas import World, make_user

ORGANISATION = {
    "kind": "school",
    "name": "Wrenbrook Academy",
    "code": "URN-777001",
    "address": "1 Mill Lane, Northshire",
    "phone": "0113 496 0100",
    "email": "office@wrenbrook.example.org",
    "accredited_day": "1",
    "accredited_month": "9",
    "accredited_year": "2025",
    "working_hours_start": "",
    "working_hours_end": "",
}


def administrator(world: World, username: str = "simon", **overrides: object) -> User:
    return make_user(username, world.north, Role.SYSTEM_ADMIN, **overrides)


def organisation_form(world: World, **changes: str) -> dict[str, str]:
    return {**ORGANISATION, "local_authority": str(world.north.pk), **changes}
