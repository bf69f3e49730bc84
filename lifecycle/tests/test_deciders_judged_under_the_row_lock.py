"""A lifecycle decision is judged on the decider as locked in its own transaction, not as the request read them.

The transfer, address, new identity, shielding and archive age services trusted the policy's check at
the start of the request: an LA team member suspended (on a misuse alert, say) or closed a moment after
their request passed it still transferred, closed or unshielded a child's record, and the log credited
a suspended account with the change. Each service now locks and re-reads the acting account first
(`accounts.services.actor_able_locked`): `ActorCannotAct`, and nothing written.

Here the service is called with the request's copy of the account (read active) after the account was
suspended or closed; the pages racing a suspension on PostgreSQL are in
`test_a_decider_suspended_on_the_way_changes_nothing.py`.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from accounts.models import Role, User
from accounts.services import ActorCannotAct, account_close, account_suspend
from audit.models import AuditEvent
from children.models import Child, RecordStatus
from children.records import AddressStatus
from children.selectors import child_details
from lifecycle.identity import NewIdentityCategory, new_identity_create
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import (
    address_status_record,
    transfer_accept,
    transfer_decline,
    transfer_request,
    transfer_withdraw,
)
from lifecycle.services import archive_age_record
from lifecycle.shielding import shield_set
from tests.personas import make_child, make_user

REASON = "Synthetic reason"


def _ended(user: User, how: str, world: Any) -> User:
    """The request's copy of `user`, read active; then a system administrator ends the account."""
    as_read = User.objects.get(pk=user.pk)
    admin = make_user("ada", world.nadia.organisation, Role.SYSTEM_ADMIN)
    if how == "closed":
        assert account_close(user=User.objects.get(pk=user.pk), by=admin)
    else:
        assert account_suspend(user=User.objects.get(pk=user.pk), by=admin, reason=REASON)
    return as_read


def _new_identity(child: Child, by: User) -> None:
    details = child_details(child)
    details.given_names, details.family_name, details.date_of_birth = "Poppy", "Marchbank", date(2020, 1, 1)
    new_identity_create(
        old=child, by=by, category=NewIdentityCategory.ADOPTION, details=details, shielded=False
    )


def _state(child: Child) -> tuple[Any, ...]:
    """Everything these decisions could change about the child: its row, its requests, the index."""
    row = Child.objects.values_list(
        "status", "local_authority_id", "shielded", "archive_age", "updated_at"
    ).get(pk=child.pk)
    requests = sorted(Transfer.objects.filter(child=child).values_list("pk", "status", "decided_by_id"))
    return row, requests, Child.objects.count()


# (decider: "lena" sending or "stella" receiving, a transfer waiting first?, the decision)
DECISIONS: dict[str, tuple[str, bool, Callable[[Child, Any, User], Any]]] = {
    "request a transfer": (
        "lena",
        False,
        lambda child, world, by: transfer_request(child=child, to_la=world.south, by=by, reason=REASON),
    ),
    "accept a transfer": (
        "stella",
        True,
        lambda child, world, by: transfer_accept(transfer=Transfer.objects.get(child=child), by=by),
    ),
    "decline a transfer": (
        "stella",
        True,
        lambda child, world, by: transfer_decline(
            transfer=Transfer.objects.get(child=child), by=by, reason=REASON
        ),
    ),
    "withdraw a transfer": (
        "lena",
        True,
        lambda child, world, by: transfer_withdraw(
            transfer=Transfer.objects.get(child=child), by=by, reason=REASON
        ),
    ),
    "record no known address": (
        "lena",
        False,
        lambda child, world, by: address_status_record(
            child=child, by=by, status=AddressStatus.NO_KNOWN_ADDRESS
        ),
    ),
    "close for a new identity": ("lena", False, lambda child, world, by: _new_identity(child, by)),
    "shield": (
        "lena",
        False,
        lambda child, world, by: shield_set(child=child, by=by, shielded=True, reason=REASON),
    ),
    "record an archive age": (
        "lena",
        False,
        lambda child, world, by: archive_age_record(child=child, age=21, by=by),
    ),
}


@pytest.mark.parametrize("how", ["suspended", "closed"])
@pytest.mark.parametrize("decision", DECISIONS)
def test_a_decider_suspended_or_closed_since_their_request_read_them_changes_nothing(world, decision, how):
    who, waiting, decide = DECISIONS[decision]
    deciders = {"lena": world.lena, "stella": make_user("stella", world.south, Role.LA_TEAM)}
    child = Child.objects.select_related("data_key", "local_authority").get(pk=make_child(world).pk)
    if waiting:
        transfer_request(child=child, to_la=world.south, by=world.lena, reason=REASON)
    decider = _ended(deciders[who], how, world)
    before, events = _state(child), AuditEvent.objects.count()

    with pytest.raises(ActorCannotAct):
        decide(child, world, decider)

    assert _state(child) == before
    assert AuditEvent.objects.count() == events
    stored = Child.objects.get(pk=child.pk)
    assert (stored.status, stored.local_authority_id, stored.shielded) == (
        RecordStatus.ACTIVE,
        world.north.pk,
        False,
    )
    if waiting:
        assert Transfer.objects.get(child=child).status == TransferStatus.PENDING


def test_a_decider_still_able_decides_as_before(world):
    """The re-check refuses only an ended account: Lena, open and not suspended, still shields."""
    child = Child.objects.select_related("data_key").get(pk=make_child(world).pk)
    assert shield_set(child=child, by=User.objects.get(pk=world.lena.pk), shielded=True, reason=REASON)
    assert Child.objects.get(pk=child.pk).shielded
