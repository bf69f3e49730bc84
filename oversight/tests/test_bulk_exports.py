"""Disclosure exports split to beat the per-export cap: one requester naming many children across many
small exports in a week alerts their own LA team (the cap alone is per export: 6 exports of 2 children,
cap 2, all approved by a colleague, raised nothing)."""

from datetime import date

import pytest

from audit.models import AuditEvent
from audit.tags import AuditTag
from disclosure.models import LawfulBasis
from disclosure.services import export_request
from oversight.models import Alert, AlertKind
from tests.personas import make_child

NAMES = ["Ada", "Bea", "Cal", "Dev", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jon", "Kit", "Lou"]


@pytest.fixture(autouse=True)
def _cap_of_two(settings):
    settings.DISCLOSURE_EXPORT_MAX_CHILDREN = 2  # alert above 4 distinct children in a week


@pytest.fixture
def children(world):
    return [
        make_child(world, given_names=name, family_name="Marsh", date_of_birth=date(2014, 1, 1 + n))
        for n, name in enumerate(NAMES)
    ]


def _request(world, pair) -> None:
    export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis=LawfulBasis.CHILD_PROTECTION,
        reference="CP-synthetic",
        children=pair,
        fields=["name", "date_of_birth"],
    )


def test_many_small_exports_by_one_requester_alert_their_own_la_team_once(world, children):
    for first in range(0, len(children), 2):
        _request(world, children[first : first + 2])
    alert = Alert.objects.get(kind=AlertKind.BULK_EXPORTED_CHILDREN)
    assert (alert.local_authority, alert.raised_by) == (world.north, world.lena)
    [event] = AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected)
    assert event.additional == {
        "actor_role": "la_team",
        "rule": "bulk_exported_children",
        "alert_id": alert.pk,
        "count": 6,  # the third export of two passed 4
        "per_week": 4,
    }


def test_the_same_children_exported_again_are_not_counted_twice(world, children):
    for _ in range(4):
        _request(world, children[:2])
        _request(world, children[2:4])
    assert not Alert.objects.exists()
