"""`access.policy.answered_as_never_existed` lets a page answer an archived or closed record's id as an id
that never existed before it asks the policy anything more (`access.http.child_by_id`: the same work as a
made-up id). That holds only while no action a page takes by a child's id is allowed on such a record to
someone who may not identify it: asked here of every such action and every role that may identify children.
"""

import pytest

from access.permissions import Permission
from access.policy import ROLES_BY_PERMISSION, answered_as_never_existed, child_known, decide
from accounts.models import Role
from children.models import Child, RecordStatus
from tests.personas import make_user

# The actions of the pages that take a child's id (children, corrections, coordination, reports, moves, merge).
ACTIONS_BY_ID = [
    Permission.ChildView,
    Permission.InvolvementRecord,
    Permission.InvolvementCease,
    Permission.LeadProfessionalSet,
    Permission.CafSet,
    Permission.ShieldOverride,
    Permission.CorrectionRaise,
    Permission.ComplaintRecord,
    Permission.InvolvementCoordinate,
    Permission.AuditReportView,
    Permission.SubjectAccessProduce,
    Permission.TransferRequest,
    Permission.AddressStatusRecord,
    Permission.NewIdentityCreate,
    Permission.ShieldSet,
    Permission.ArchiveAgeRecord,
    Permission.ChildMerge,
]


@pytest.mark.parametrize("status", [RecordStatus.ARCHIVED, RecordStatus.CLOSED])
def test_nothing_a_page_does_by_a_childs_id_is_allowed_on_a_record_answered_as_never_existing(
    world, child, status
):
    Child.objects.filter(pk=child.pk).update(status=status)
    child.refresh_from_db()
    askers = [world.alice, world.bob, world.olivia, make_user("stan", world.south, Role.LA_TEAM)]
    assert {a.role for a in askers} >= {Role.PRACTITIONER, Role.OVERRIDE_HOLDER, Role.LA_TEAM}
    for actor in askers:
        known = child_known(actor=actor, child=child)
        assert answered_as_never_existed(actor=actor, child=child, known=known), actor.username
        for action in ACTIONS_BY_ID:
            if actor.role in ROLES_BY_PERMISSION[action]:
                assert not decide(actor=actor, action=action, child=child), (actor.username, action)


def test_a_role_that_cannot_search_is_answered_by_its_own_pages_rules(world, child):
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    child.refresh_from_db()
    assert not answered_as_never_existed(actor=world.dara, child=child, known=False)
