"""Only a vetted, unsuspended system administrator reaches any administration page; everyone else is
refused with the reason, and nothing changes. (The full matrix is tests/authorisation/test_matrix.py.)"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from access.permissions import Permission
from access.policy import decide
from accounts.models import Organisation, Role
from administration.tests.support import administrator, organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.personas import make_user

OTHERS = ["alice", "olivia", "lena", "nadia", "dara"]


def _pages(world):
    gp, auditor = world.north_gp.pk, world.nadia.pk
    return [
        ("GET", reverse("administration:home"), None),
        ("GET", reverse("administration:organisations"), None),
        ("POST", reverse("administration:organisation_new"), organisation_form(world)),
        ("GET", reverse("administration:organisation", args=[gp]), None),
        (
            "POST",
            reverse("administration:organisation_edit", args=[gp]),
            organisation_form(world, code="X-1"),
        ),
        ("POST", reverse("administration:organisation_close", args=[gp]), {"confirmed": "yes"}),
        ("GET", reverse("administration:accounts"), None),
        ("GET", reverse("administration:account", args=[auditor]), None),
        ("POST", reverse("administration:account_suspend", args=[auditor]), {"reason": "Testing"}),
        ("POST", reverse("administration:account_close", args=[auditor]), {"confirmed": "yes"}),
    ]


def _changes():
    return (
        AuditEvent.objects.filter(tag__startswith="directory:").count(),
        AuditEvent.objects.filter(tag__in=[AuditTag.AccountSuspended, AuditTag.AccountClosed]).count(),
        Organisation.objects.filter(closed_on__isnull=False).count(),
    )


@pytest.mark.parametrize("persona", OTHERS)
def test_every_other_role_is_refused_every_administration_page(world, persona):
    client = signed_in(getattr(world, persona))
    for method, path, data in _pages(world):
        response = client.get(path) if method == "GET" else client.post(path, data)
        assert response.status_code == 403, f"{persona} {method} {path}"
        assert 'data-reason="role_not_permitted"' in response.content.decode()
    assert _changes() == (0, 0, 0)


def test_a_suspended_administrator_is_refused(world):
    admin = administrator(world, suspended_at=timezone.now())
    for method, path, data in _pages(world):
        client = signed_in(admin)  # the refusal signs a suspended person out: sign in again each time
        response = client.get(path) if method == "GET" else client.post(path, data)
        assert response.status_code == 403, path
        assert 'data-reason="suspended"' in response.content.decode()
    assert _changes() == (0, 0, 0)


def test_an_administrator_whose_training_lapsed_is_sent_to_the_course(world):
    admin = administrator(world, training_completed_on=timezone.localdate() - timedelta(days=400))
    client = signed_in(admin)
    for method, path, data in _pages(world):
        response = client.get(path) if method == "GET" else client.post(path, data)
        assert (response.status_code, response["Location"]) == (302, reverse("training:course")), path
    assert _changes() == (0, 0, 0)
    assert decide(actor=admin, action=Permission.OrganisationManage).reason == "training_lapsed"


def test_an_administrator_of_a_closed_organisation_is_refused(world):
    admin = administrator(world)
    world.north.closed_on = timezone.localdate()
    world.north.save()
    decision = decide(actor=admin, action=Permission.NationalAccountManage)
    assert (decision.allowed, decision.reason) == (False, "organisation_closed")


def test_only_the_system_administrator_holds_the_administration_permissions(world):
    admin = administrator(world)
    for action in (Permission.OrganisationManage, Permission.NationalAccountManage):
        assert decide(actor=admin, action=action).allowed
        for persona in OTHERS:
            assert decide(actor=getattr(world, persona), action=action).reason == "role_not_permitted"


def test_the_administrator_lands_on_their_home_with_the_service_health_link(world):
    client = signed_in(administrator(world))
    assert client.get("/")["Location"] == reverse("administration:home")
    page = client.get(reverse("administration:home")).content.decode()
    for target in ("administration:organisations", "administration:accounts", "service_health"):
        assert f'href="{reverse(target)}"' in page
    assert ">Administration</a>" in page


def test_a_feed_source_is_refused_too(world):
    fiona = make_user("fiona", world.north, Role.FEED_SOURCE)
    assert decide(actor=fiona, action=Permission.OrganisationManage).reason == "role_not_permitted"
