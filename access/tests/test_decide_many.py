"""The batch form of the policy gives the single form's answers, for every persona, child and permission.

`decide_many` answers many (permission, child) questions of one person from one query per fact; a
page that uses it must show exactly what `decide` would have let it show. Checked over the
authorisation world (11 personas, every child scenario: shielded, other LA, archived, closed,
sensitive), with facts of every kind added: a current involvement (alice's, on every child), a
ceased one (bob's, on one child), children returned by bob's searches, and none for the rest.
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access.permissions import Permission
from access.policy import decide, decide_many
from children.records import InvolvementDetails
from children.search import SearchCriteria, child_search
from children.services import involvement_cease, involvement_record
from tests.authorisation.world import PERSONAS, SCENARIOS, MatrixWorld, build_matrix_world
from tests.personas import World

# Every permission whose rules may read a fact about the person and the child.
PER_CHILD = [
    Permission.ChildView,
    Permission.ChildIdentify,
    Permission.InvolvementRecord,
    Permission.InvolvementCease,
    Permission.LeadProfessionalSet,
    Permission.CafSet,
    Permission.ShieldOverride,
    Permission.CorrectionRaise,
    Permission.ComplaintRecord,
    Permission.TransferRequest,
]


@pytest.fixture
def matrix(world: World) -> MatrixWorld:
    return build_matrix_world(world)


def _with_every_kind_of_fact(matrix):
    """bob: a ceased involvement with "south", searches that returned "north" and "north_shielded"."""
    bob = matrix.users["bob"]
    ceased = involvement_record(
        child=matrix.children["south"],
        by=bob,
        details=InvolvementDetails("Bob", "Keyworker", matrix.world.south_gp.pk, started_on=date(2024, 1, 1)),
    )
    involvement_cease(involvement=ceased, by=bob, ended_on=date(2024, 6, 1))
    for key in ("north", "north_shielded"):
        markers = SCENARIOS[key]
        child_search(criteria=SearchCriteria(markers.family, date_of_birth=date(2015, 3, 4)), fetched_by=bob)


def test_the_batch_form_gives_every_persona_the_single_forms_decisions(matrix):
    _with_every_kind_of_fact(matrix)
    asks = [(action, child) for child in matrix.children.values() for action in PER_CHILD]
    compared = 0
    for persona in PERSONAS:
        actor = matrix.users[persona.name]
        single = [decide(actor=actor, action=action, child=child) for action, child in asks]
        assert decide_many(actor=actor, asks=asks) == single, persona.name
        for action, child in asks:  # one question at a time through the batch form, too
            assert decide_many(actor=actor, asks=[(action, child)]) == [
                decide(actor=actor, action=action, child=child)
            ]
        compared += len(asks)
    assert compared == len(PERSONAS) * len(SCENARIOS) * len(PER_CHILD)


def test_the_batch_form_sees_each_kind_of_fact(matrix):
    """Not a vacuous comparison: the facts change the answers the batch gives."""
    _with_every_kind_of_fact(matrix)
    bob, alice = matrix.users["bob"], matrix.users["alice"]
    found, ceased, never = (matrix.children[k] for k in ("north", "south", "north_identified"))
    asks = [(Permission.ChildIdentify, child) for child in (found, ceased, never)]
    identify = decide_many(actor=bob, asks=asks)
    assert [d.allowed for d in identify] == [True, True, False]  # searched, once involved, neither
    assert identify[2].reason == "not_found_by_search"
    lead = decide_many(actor=bob, asks=[(Permission.LeadProfessionalSet, ceased)])
    assert lead[0].reason == "not_involved"  # bob's involvement there has ceased
    assert decide_many(actor=alice, asks=[(Permission.LeadProfessionalSet, never)])[0].allowed


def test_a_batch_asks_each_fact_once_however_many_children(matrix):
    _with_every_kind_of_fact(matrix)
    bob = matrix.users["bob"]
    children = list(matrix.children.values())
    asks = [(action, child) for child in children for action in PER_CHILD]
    with CaptureQueriesContext(connection) as captured:
        decide_many(actor=bob, asks=asks)
    assert len(captured.captured_queries) <= 2  # involvements, search appearances
