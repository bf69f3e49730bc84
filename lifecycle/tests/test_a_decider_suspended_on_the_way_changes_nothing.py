"""An LA team member suspended while their decision is on its way changes nothing (PostgreSQL, two real
sessions).

The decision pages (transfer request, accept, decline, withdraw; address; new identity; shielding) asked
the policy once, at the start of the request, and the services wrote with no second look at the person
deciding: Lena, suspended by a system administrator a moment after her request to lift a shield (or close
a record for a new identity) passed the policy, still lifted it, and the log credited a suspended account
with it. Here her request is paused after the policy, just before the service, while the administrator's
suspension commits on another session: the service, judging her again under her row's lock, writes
nothing, and the page answers as her next request would, the audited refusal, signed out.
"""

from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle import moves_views
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import transfer_request
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.personas import build_world, make_child, make_user

pytestmark = postgresql_race()

REASON = "Synthetic reason"
NEW_IDENTITY = {
    "category": "adoption",
    "given_names": "Poppy",
    "family_name": "Marchbank",
    "gender": "female",
    "dob_day": "4",
    "dob_month": "3",
    "dob_year": "2020",
    "line_1": "8 Elmhurst Gardens",
    "town": "York",
    "postcode": "YO1 7HH",
    "shielded": "",
    "confirm": "on",
}

# decision: (the service the page calls, who decides, a transfer waiting first?, url name, form)
PAGES: dict[str, tuple[str, str, bool, str, dict[str, str]]] = {
    "request a transfer": ("transfer_request", "lena", False, "moves:transfer_new", {"reason": REASON}),
    "accept a transfer": ("transfer_accept", "stella", True, "moves:transfer", {"decision": "accept"}),
    "decline a transfer": (
        "transfer_decline",
        "stella",
        True,
        "moves:transfer",
        {"decision": "decline", "decline_reason": REASON},
    ),
    "withdraw a transfer": (
        "transfer_withdraw",
        "lena",
        True,
        "moves:transfer_withdraw",
        {"reason": REASON, "confirm": "on"},
    ),
    "record no known address": ("address_status_record", "lena", False, "moves:address", {"status": "none"}),
    "close for a new identity": ("new_identity_create", "lena", False, "moves:new_identity", NEW_IDENTITY),
    "shield": (
        "shield_set",
        "lena",
        False,
        "moves:shielding",
        {"reason": REASON, "confirm": "on", "change": "apply"},
    ),
}


def _state(child: Child) -> tuple[Any, ...]:
    row = Child.objects.values_list("status", "local_authority_id", "shielded", "updated_at").get(pk=child.pk)
    requests = sorted(Transfer.objects.filter(child=child).values_list("pk", "status", "decided_by_id"))
    return row, requests, Child.objects.count()


@pytest.mark.parametrize("decision", PAGES)
def test_a_decider_suspended_after_the_policy_passed_them_changes_nothing_and_is_told(monkeypatch, decision):
    service, who, waiting, url_name, form = PAGES[decision]
    world = build_world()
    admin = make_user("ada", world.nadia.organisation, Role.SYSTEM_ADMIN)
    deciders = {"lena": world.lena, "stella": make_user("stella", world.south, Role.LA_TEAM)}
    decider = deciders[who]
    child = make_child(world)
    if waiting:
        transfer = transfer_request(
            child=Child.objects.select_related("data_key").get(pk=child.pk),
            to_la=world.south,
            by=world.lena,
            reason=REASON,
        )
        url = reverse(url_name, args=[transfer.pk])
    else:
        url = reverse(url_name, args=[child.pk])
    data = {**form, "to_la": str(world.south.pk)} if decision == "request a transfer" else form
    client = signed_in(decider)
    before, mark = _state(child), AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    response, suspended = paused_for(
        monkeypatch,
        moves_views,
        service,
        before=True,  # past the policy, before the service's transaction
        read=lambda: client.post(url, data),
        write=lambda: account_suspend(user=User.objects.get(pk=decider.pk), by=admin, reason=REASON),
    )

    assert suspended
    assert response.status_code == 403
    assert "Your account is suspended." in response.content.decode()
    assert _state(child) == before
    if waiting:
        assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING
    # Nothing but the suspension, the refusal and the sign-out was audited: no decision.
    audited = set(AuditEvent.objects.filter(pk__gt=mark).values_list("tag", "actor_id"))
    assert audited == {
        (AuditTag.AccountSuspended, admin.pk),
        (AuditTag.AccessDenied, decider.pk),
        (AuditTag.LoggedOut, decider.pk),
    }
    assert client.get(reverse("moves:transfers")).status_code == 302  # signed out
