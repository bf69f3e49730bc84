"""Refusing an administrator the close, or the de-accreditation, of their own organisation is the policy's
refusal (`access.policy.organisation_cut_off_decide`, reason `own_organisation`), audited as every refusal
is (`access:denied`, with the action, the reason and the organisation), as the refusal of their own
account (`own_account_national`) is. The words the page shows are unchanged (the directory's own, on the
organisation's page and on the form); opening the close's confirmation (a GET) writes nothing, as opening
any page does not.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from access.permissions import Permission
from accounts.models import Role
from administration.tests.support import administrator, organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user

CLOSE_REFUSED = "You cannot close the organisation your own account belongs to"
ACCREDITATION_REFUSED = "You cannot take the accreditation from the organisation your own account belongs to"


def _refusals(actor_id: int) -> list[dict]:
    """What each refusal of `actor_id` says (beside the actor's role, which every event carries)."""
    events = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor_id=actor_id)
    return [{k: v for k, v in e.additional.items() if k != "actor_role"} for e in events]


def _expected(organisation_id: int) -> dict:
    return {
        "action": str(Permission.OrganisationManage),
        "reason": "own_organisation",
        "organisation_id": organisation_id,
    }


def test_closing_ones_own_organisation_is_refused_by_the_policy_and_audited(world):
    national = world.nadia.organisation
    simon = make_user("simon", national, Role.SYSTEM_ADMIN)
    client = signed_in(simon)
    confirm = client.get(reverse("administration:organisation", args=[national.pk]) + "?confirm=close")
    assert CLOSE_REFUSED in confirm.content.decode()
    assert _refusals(simon.pk) == []  # opening the page is no change refused
    response = client.post(
        reverse("administration:organisation_close", args=[national.pk]), {"confirmed": "yes"}, follow=True
    )
    assert CLOSE_REFUSED in response.content.decode()
    assert _refusals(simon.pk) == [_expected(national.pk)]
    national.refresh_from_db()
    assert national.closed_on is None


@pytest.mark.parametrize("later", [None, 30], ids=["removed", "moved_to_a_later_day"])
def test_taking_the_accreditation_from_ones_own_organisation_is_refused_by_the_policy_and_audited(
    world, later
):
    national = world.nadia.organisation
    simon = make_user("simon", national, Role.SYSTEM_ADMIN)
    day = timezone.localdate() + timedelta(days=later) if later else None
    accredited = {
        "accredited_day": str(day.day) if day else "",
        "accredited_month": str(day.month) if day else "",
        "accredited_year": str(day.year) if day else "",
    }
    data = organisation_form(
        world, kind="national", name=national.name, code=national.code, local_authority="", **accredited
    )
    response = signed_in(simon).post(reverse("administration:organisation_edit", args=[national.pk]), data)
    assert ACCREDITATION_REFUSED in rendered(response, heading=f"Change {national.name}")
    assert _refusals(simon.pk) == [_expected(national.pk)]


def test_another_change_to_ones_own_organisation_audits_no_refusal(world):
    national = world.nadia.organisation
    simon = make_user("simon", national, Role.SYSTEM_ADMIN)
    day = national.accredited_on
    data = organisation_form(
        world,
        kind="national",
        name=national.name,
        code=national.code,
        local_authority="",
        phone="0113 496 0777",
        accredited_day=str(day.day),
        accredited_month=str(day.month),
        accredited_year=str(day.year),
    )
    response = signed_in(simon).post(reverse("administration:organisation_edit", args=[national.pk]), data)
    assert response.status_code == 302
    assert _refusals(simon.pk) == []


def test_closing_another_organisation_audits_no_refusal(world):
    sally = administrator(world, "sally")  # of Northshire Council
    national = world.nadia.organisation
    client = signed_in(sally)
    client.post(reverse("administration:organisation_close", args=[national.pk]), {"confirmed": "yes"})
    assert _refusals(sally.pk) == []


def test_any_other_refusal_of_the_close_is_the_policys_refusal_page(world, monkeypatch):
    """The page's `require` passed a moment before the close asks the policy again: refused then for
    another reason (suspended in between, say), the audited refusal page says that reason, nothing closed."""
    import administration.organisations
    from access.policy import Decision

    sally = administrator(world, "sally")
    national = world.nadia.organisation
    monkeypatch.setattr(
        administration.organisations,
        "organisation_cut_off_decide",
        lambda **_: Decision(False, "suspended"),
    )
    response = signed_in(sally).post(
        reverse("administration:organisation_close", args=[national.pk]), {"confirmed": "yes"}
    )
    assert response.status_code == 403
    assert _refusals(sally.pk) == [{"action": str(Permission.OrganisationManage), "reason": "suspended"}]
    national.refresh_from_db()
    assert national.closed_on is None
