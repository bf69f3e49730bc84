"""A person whose role may not use a record page learns nothing from a child's id: not whether it exists,
not which local authority holds the record.

The pages check the role first (`access.http.require` without the child), then look the child up, then
judge the record. Looked up first, a missing id answered 404 and an existing one the refusal page naming
the LA holding the child: an id oracle for a data manager or an administrator, who cannot search.
"""

import re
import uuid
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation, OrganisationKind, Role, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.records import InvolvementDetails
from children.services import involvement_record
from tests.journeys import signed_in
from tests.personas import World, make_child, make_user

# (page, the roles it is for): each page is probed by personas outside them.
CHILD_PAGES = [
    "children:purpose",
    "children:record",
    "children:involvement_new",
    "children:lead_professional",
    "children:caf",
    "children:override",
]
NOT_FOR_RECORDS = ["dara", "nadia", "ada"]  # data manager, national auditor, system administrator

EAST = "Eastmoor Council"


def _main(response) -> str:
    """The page's own content (the header holds a per-request CSRF token for the sign-out form)."""
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def _reason(response) -> str:
    found = re.search(r'data-reason="([^"]*)"', response.content.decode())
    return found.group(1) if found else ""


def _persona(world: World, name: str) -> User:
    if name == "ada":
        national = world.nadia.organisation
        assert national is not None
        return make_user("ada", national, Role.SYSTEM_ADMIN)
    return getattr(world, name)


def _east(world: World) -> Organisation:
    """An LA none of the personas belongs to, so a page naming it names the child's LA, not theirs."""
    return Organisation.objects.get_or_create(
        code="LA-E",
        defaults={
            "kind": OrganisationKind.LOCAL_AUTHORITY,
            "name": EAST,
            "phone": "0300 000 0001",
            "email": "la-e@example.org",
            "accredited_on": date(2020, 1, 1),
        },
    )[0]


def _east_child(world: World, *, shielded: bool = False) -> Child:
    return make_child(world, given_names="Noah", family_name="Begum", la=_east(world), shielded=shielded)


def _says_nothing_of(page: str, child: Child, world: World) -> None:
    assert EAST not in page
    assert "Noah" not in page and "Begum" not in page
    assert child.index_number not in page
    assert str(child.pk) not in page
    assert "This record belongs to" not in page


def _probe(client: Client, url_name: str, child_id: uuid.UUID, method: str = "get"):
    return getattr(client, method)(reverse(url_name, args=[child_id]))


@pytest.mark.parametrize("persona", NOT_FOR_RECORDS)
@pytest.mark.parametrize("url_name", CHILD_PAGES)
def test_a_wrong_role_gets_the_same_refusal_for_a_real_and_a_made_up_child_id(world, url_name, persona):
    child = _east_child(world)
    client = signed_in(_persona(world, persona))
    real = _probe(client, url_name, child.pk)
    _says_nothing_of(_main(real), child, world)
    made_up = _probe(client, url_name, uuid.uuid4())
    assert (real.status_code, made_up.status_code) == (403, 403)
    assert _reason(real) == _reason(made_up) == "role_not_permitted"
    assert _main(real) == _main(made_up)


@pytest.mark.parametrize("persona", ["alice", "bob", "lena"])
def test_emergency_access_by_id_tells_a_practitioner_without_the_override_role_nothing_more(world, persona):
    """Break-glass is the override holder's: anyone else is refused on their role, whatever the id."""
    child = _east_child(world, shielded=True)
    client = signed_in(getattr(world, persona))
    real = _probe(client, "children:override", child.pk)
    made_up = _probe(client, "children:override", uuid.uuid4())
    assert (real.status_code, made_up.status_code) == (403, 403)
    assert _main(real) == _main(made_up)
    _says_nothing_of(_main(real), child, world)


@pytest.mark.parametrize("persona", NOT_FOR_RECORDS)
def test_ending_an_involvement_by_ids_tells_a_wrong_role_nothing(world, persona):
    """The page takes two ids (the child's, the involvement's): neither is probed before the role."""
    child = _east_child(world)
    client = signed_in(_persona(world, persona))
    involvement = involvement_record(
        child=child,
        by=world.bob,
        details=InvolvementDetails(
            practitioner_name="Bob Example", role="GP", organisation_id=world.south_gp.pk
        ),
    )
    answers = [
        client.get(reverse("children:involvement_end", args=[c, i]))
        for c, i in [
            (child.pk, involvement.pk),
            (uuid.uuid4(), involvement.pk),
            (child.pk, uuid.uuid4()),
            (uuid.uuid4(), uuid.uuid4()),
        ]
    ]
    assert [a.status_code for a in answers] == [403] * 4
    assert {_reason(a) for a in answers} == {"role_not_permitted"}
    assert len({_main(a) for a in answers}) == 1
    _says_nothing_of(_main(answers[0]), child, world)


def test_the_refusal_by_role_is_still_audited_without_naming_a_child(world):
    """Refused on the role, the event records who and what action, not an id the person typed."""
    child = _east_child(world)
    signed_in(world.dara).get(reverse("children:record", args=[child.pk]))
    event = AuditEvent.objects.filter(tag=AuditTag.AccessDenied).get()
    assert event.additional["reason"] == "role_not_permitted"
    assert event.child_id is None
