"""Break-glass is for practitioners with child-protection duties (domain.md: social worker, police). The
invitation refuses the role elsewhere, but an account given it before that check (or by any other way in)
must not keep it: the policy, the one place for access rules, decides by the holder's organisation."""

from django.urls import reverse

from access.permissions import Permission
from access.policy import decide
from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.personas import make_user

OVERRIDE = {"reason": "Child reported missing tonight", "understood": "on"}


def test_an_override_holder_at_a_school_cannot_break_glass_and_nothing_is_shown(world, shielded_child):
    teacher = make_user("owen", world.north_school, Role.OVERRIDE_HOLDER)
    assert decide(actor=teacher, action=Permission.ShieldOverride, child=shielded_child).reason == (
        "no_child_protection_duty"
    )

    response = signed_in(teacher).post(reverse("children:override", args=[shielded_child.pk]), OVERRIDE)

    page = response.content.decode()
    assert response.status_code == 403
    assert "Emergency access to shielded records is for social workers and the police" in page
    assert "LS6 2QT" not in page and "Grace Thornton" not in page
    assert not AuditEvent.objects.filter(tag=AuditTag.ShieldOverridden).exists()
    refused = AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=teacher)
    assert refused.additional["reason"] == "no_child_protection_duty"


def test_an_override_holder_of_children_social_care_or_police_still_may(world, shielded_child):
    social_worker = make_user("sunita", world.north_social_care, Role.OVERRIDE_HOLDER)
    for holder in (social_worker, world.olivia):
        assert decide(actor=holder, action=Permission.ShieldOverride, child=shielded_child)
