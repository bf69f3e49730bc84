"""An administrator closed or suspended by a colleague while their directory change is on its way changes
nothing (PostgreSQL, real concurrent sessions).

The directory pages checked the administrator once, at the start of the request (the policy), and wrote
with no second look: Otto, closed by Ada for misuse a moment after his request to close an organisation
(or to take its accreditation away, or to add one) passed the policy, still closed it, cutting off every
account in it with an authority that had just ended, and the log credited a closed account with the
change. The account pages were mended for this (`accounts.services.ActorCannotAct`); the directory's
three writes now lock and re-read the administrator first, and answer as their next request would: the
audited refusal, signed out.
"""

import threading
from datetime import date

import pytest
from django.urls import reverse

import administration.organisations
from accounts.models import Organisation, Role, User
from accounts.services import account_close, account_suspend
from administration.tests.support import organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import make_user

pytestmark = postgresql_race()

ACCREDITED = {"accredited_day": "1", "accredited_month": "9", "accredited_year": "2025"}


def _requests(world):
    gp = world.north_gp
    edit = {
        "kind": "gp",
        "name": gp.name,
        "code": gp.code,
        "local_authority": str(world.north.pk),
        "accredited_day": "",
        "accredited_month": "",
        "accredited_year": "",
    }
    return {
        "close": (reverse("administration:organisation_close", args=[gp.pk]), {"confirmed": "yes"}),
        "edit": (reverse("administration:organisation_edit", args=[gp.pk]), edit),
        "new": (
            reverse("administration:organisation_new"),
            organisation_form(world, name="Otto's Academy", code="URN-OTTO", **ACCREDITED),
        ),
    }


@pytest.mark.parametrize("ended_by", ["closed", "suspended"])
@pytest.mark.parametrize("change", ["close", "edit", "new"])
def test_an_administrator_closed_after_their_request_passed_the_policy_changes_no_organisation(
    world, monkeypatch, change, ended_by
):
    national = world.nadia.organisation
    ada = make_user("ada", national, Role.SYSTEM_ADMIN)
    otto = make_user("otto", national, Role.SYSTEM_ADMIN)
    otto_client = signed_in(otto)
    url, data = _requests(world)[change]
    checked, ended = threading.Event(), threading.Event()
    step_up = administration.organisations.step_up

    def step_up_then_wait(request):
        """Otto's request has passed the policy and the step-up; Ada ends his account before it writes."""
        answer = step_up(request)
        checked.set()
        ended.wait(timeout=10)
        return answer

    monkeypatch.setattr(administration.organisations, "step_up", step_up_then_wait)

    def work(i):
        if i == 0:
            return otto_client.post(url, data)
        assert checked.wait(timeout=10)
        by, subject = User.objects.get(pk=ada.pk), User.objects.get(pk=otto.pk)
        if ended_by == "closed":
            account_close(user=subject, by=by)
        else:
            account_suspend(user=subject, by=by, reason="Misuse under investigation")
        ended.set()
        return None

    response = run_together(2, work)[0]

    world.north_gp.refresh_from_db()
    assert (world.north_gp.closed_on, world.north_gp.accredited_on) == (None, date(2020, 1, 1)), (
        "Otto's change was written after his account was ended"
    )
    assert not Organisation.objects.filter(code="URN-OTTO").exists()
    written = AuditEvent.objects.filter(
        tag__in=[AuditTag.OrganisationClosed, AuditTag.OrganisationUpdated, AuditTag.OrganisationCreated]
    )
    assert list(written.values_list("tag", flat=True)) == []
    assert response.status_code == 403
    reason = "Your account is closed." if ended_by == "closed" else "Your account is suspended."
    assert reason in response.content.decode()
    refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=otto).get()
    assert refusal.additional["reason"] == ("inactive" if ended_by == "closed" else "suspended")
