"""A person whose role may not use a record page learns nothing from a child's id: not whether it exists,
not which local authority holds the record.

The pages check the role first (`access.http.require` without the child), then look the child up, then
judge the record. Looked up first, a missing id answered 404 and an existing one the refusal page naming
the LA holding the child: an id oracle for a data manager or an administrator, who cannot search.
"""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import InvolvementDetails
from children.services import involvement_record
from tests.journeys import signed_in
from tests.other_la import east_child as _east_child
from tests.other_la import main_of, reason_of, says_nothing_of
from tests.other_la import persona as _persona

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


def _probe(client: Client, url_name: str, child_id: uuid.UUID, method: str = "get"):
    return getattr(client, method)(reverse(url_name, args=[child_id]))


@pytest.mark.parametrize("persona", NOT_FOR_RECORDS)
@pytest.mark.parametrize("url_name", CHILD_PAGES)
def test_a_wrong_role_gets_the_same_refusal_for_a_real_and_a_made_up_child_id(world, url_name, persona):
    child = _east_child(world)
    client = signed_in(_persona(world, persona))
    real = _probe(client, url_name, child.pk)
    says_nothing_of(main_of(real), child)
    made_up = _probe(client, url_name, uuid.uuid4())
    assert (real.status_code, made_up.status_code) == (403, 403)
    assert reason_of(real) == reason_of(made_up) == "role_not_permitted"
    assert main_of(real) == main_of(made_up)


@pytest.mark.parametrize("persona", ["alice", "bob", "lena"])
def test_emergency_access_by_id_tells_a_practitioner_without_the_override_role_nothing_more(world, persona):
    """Break-glass is the override holder's: anyone else is refused on their role, whatever the id."""
    child = _east_child(world, shielded=True)
    client = signed_in(getattr(world, persona))
    real = _probe(client, "children:override", child.pk)
    made_up = _probe(client, "children:override", uuid.uuid4())
    assert (real.status_code, made_up.status_code) == (403, 403)
    assert main_of(real) == main_of(made_up)
    says_nothing_of(main_of(real), child)


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
    assert {reason_of(a) for a in answers} == {"role_not_permitted"}
    assert len({main_of(a) for a in answers}) == 1
    says_nothing_of(main_of(answers[0]), child)


def test_the_refusal_by_role_is_still_audited_without_naming_a_child(world):
    """Refused on the role, the event records who and what action, not an id the person typed."""
    child = _east_child(world)
    signed_in(world.dara).get(reverse("children:record", args=[child.pk]))
    event = AuditEvent.objects.filter(tag=AuditTag.AccessDenied).get()
    assert event.additional["reason"] == "role_not_permitted"
    assert event.child_id is None
