"""Helpers for coordination tests: more practitioners (synthetic), and recording through the real page."""

from datetime import date

from django.test import Client
from django.urls import reverse

from accounts.models import Organisation, OrganisationKind, User
from children.models import Child, Involvement
from children.records import InvolvementDetails, RecordingBasis
from children.services import involvement_record, recording_sensitive
from tests.journeys import signed_in, state_purpose
from tests.personas import World, make_user


def organisation(world: World, kind: str, name: str, code: str) -> Organisation:
    return Organisation.objects.create(
        kind=kind,
        name=name,
        code=code,
        local_authority=world.north,
        phone="0300 000 0001",
        email=f"{code.lower()}@example.org",
        accredited_on=date(2020, 1, 1),
    )


def school_teacher(world: World) -> User:
    """Carol teaches at Northshire Primary School (another organisation than Alice's)."""
    return make_user("carol", world.north_school, phone="0113 496 0101")


def clinic_nurse(world: World) -> User:
    """Sian works for a sexual health clinic: a sensitive service."""
    clinic = organisation(world, OrganisationKind.SENSITIVE, "Riverside Sexual Health Clinic", "SH-1")
    return make_user("sian", clinic)


def record_by_page(client: Client, child: Child, role: str = "Class teacher") -> None:
    state_purpose(client, child)
    data = {
        "role": role,
        "phone": "0113 496 0000",
        "email": "someone@example.org",
        "start_day": "2",
        "start_month": "9",
        "start_year": "2024",
        "recording_basis": RecordingBasis.CONSENT,  # asked of a sensitive service only, else not read
    }
    response = client.post(reverse("children:involvement_new", args=[child.pk]), data)
    assert response.status_code == 302, response.status_code


def record(child: Child, user: User, role: str = "Practitioner", **extra: object) -> Involvement:
    assert user.organisation_id is not None
    if recording_sensitive(by=user, organisation_id=user.organisation_id):
        extra.setdefault("recording_basis", RecordingBasis.CONSENT)  # recorded only with a basis
    details = InvolvementDetails(
        practitioner_name=user.get_full_name(),
        role=role,
        organisation_id=user.organisation_id,
        phone=user.phone,
        email=user.email,
        started_on=date(2024, 9, 1),
        **extra,  # type: ignore[arg-type]
    )
    return involvement_record(child=child, by=user, details=details)


def inbox_page(user: User) -> str:
    response = signed_in(user).get(reverse("coordination:inbox"))
    assert response.status_code == 200, response.status_code
    return response.content.decode()
