"""Break-glass: an override holder opens a shielded record in an emergency.

The reason is sealed under the child's key, the event is audited, the owning LA team is alerted at
once, and the full record is shown in that one response only: nothing is kept in the session.

An override is a record view too (the fullest there is), so the viewing rules count it in the same
transaction (`view_screen`): many overrides in an hour alert the user's own LA team and, past the hard
threshold, suspend the account, as many views would. A child of another LA than the user's own is
marked on the event, so the outside-LA rule counts it from the log.

The holder's account is locked first and judged again as stored, by the whole vetting
(`accounts.services.actor_able_locked`), as every decider's is: suspended, closed, their organisation
de-accredited or closed, or their vetting lapsed since the page's check, `ActorCannotAct` and nothing is
written or shown (the page says why and signs them out). First, before the child's row, in the order
every writer takes them (accounts, organisations, then children): taking the row first and the account
only for the misuse screening deadlocked with the holder's own correction on the record in another tab
(their account, then the child's row). The screening then locks the same account again (FOR UPDATE,
from FOR NO KEY UPDATE), waiting for nothing but the holder's other requests.

Everything else is judged, written and read on the record as it is under its row lock, not as the page
read it: a transfer accepted meanwhile alerts the team now holding the record; a record closed for a new
identity (or archived, or its shield lifted) meanwhile is refused by the caller's `recheck`, and one
merged away is gone (`Child.DoesNotExist`), with nothing written; and what is shown is read before the
lock is let go, so no merge or close lands between the override and the page.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

from accounts.models import User
from accounts.services import actor_able_locked
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child
from children.services import child_rows_locked
from oversight.misuse import CHILD_LA, OUTSIDE_HOME_LA, view_screen
from oversight.models import AlertKind
from oversight.services import alert_raise
from vault.sealing import note_seal

T = TypeVar("T")


def shield_override(
    *,
    child: Child,
    by: User,
    reason: str,
    recheck: Callable[[Child], None] | None = None,
    shown: Callable[[Child], T] | None = None,
) -> T | None:
    """Audit, alert the LA team holding the record, let the viewing rules count it (they may suspend
    `by`), then return `shown(record)`, read under the row lock; None if the rules suspended `by`
    (nothing is read: the caller signs them out) or nothing is to be shown.

    `ActorCannotAct` (nothing written) if `by` may no longer act, judged under their account's lock.
    `recheck(stored)` (the page's policy check again) raises if the override may no longer be made on
    the record as stored (closed, archived, no longer shielded); `Child.DoesNotExist` if it was merged
    into another meanwhile. Callers without a page (tests, tools) may leave both out.
    """
    with transaction.atomic():
        actor_able_locked(by)  # the holder as they are now, before the child's row is locked
        # The row alone (`child_rows_locked`), its LA read after the lock: a lock joined to the LA, waiting
        # on a transfer that moved the row meanwhile, is re-checked by PostgreSQL against the LA it joined
        # before the wait and returns no row (a server error in an emergency).
        stored = child_rows_locked().get(pk=child.pk)
        if recheck is not None:
            recheck(stored)
        # Sealed under the key of the record as locked (a merge shreds the duplicate's key).
        reason_sealed = note_seal(stored.data_key, context="override", text=reason)
        home_la_id = by.home_la_id
        outside = home_la_id is not None and stored.local_authority_id != home_la_id
        event_record(
            tag=AuditTag.ShieldOverridden,
            actor=by,
            child_id=stored.pk,
            additional={
                "reason_sealed": reason_sealed,
                **({OUTSIDE_HOME_LA: True} if outside else {}),
                CHILD_LA: stored.local_authority_id,
            },
        )
        alert_raise(
            local_authority=stored.local_authority,
            kind=AlertKind.SHIELD_OVERRIDE,
            raised_by=by,
            child_id=stored.pk,
            reason_sealed=reason_sealed,
            reason_key=stored.data_key,
        )
        view_screen(user=by)
        return shown(stored) if shown is not None and by.suspended_at is None else None
