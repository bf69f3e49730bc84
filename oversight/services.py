"""Raising alerts: stored for the queue of whoever deals with them, and announced once stored."""

from collections.abc import Callable
from functools import partial
from uuid import UUID

from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.services import actor_able_locked
from audit.services import event_record
from audit.tags import AuditTag
from notices.email import notify_after_commit
from oversight.models import CHILD_ALERT_KINDS, URGENT_ALERT_KINDS, Alert, AlertKind
from oversight.signals import alert_stored
from vault.crypto import DecryptionFailed
from vault.models import DataKey
from vault.sealing import note_unseal

# How many acknowledged alerts the queue shows after the waiting ones (the audit keeps them all).
ACKNOWLEDGED_SHOWN = 200
# Alerts on each page of a queue (`?page=N`): 5,000 waiting alerts on one page took 4.5 s and 7.4 MB.
ALERTS_PER_PAGE = 100


def alert_raise(
    *,
    local_authority: Organisation | None,
    kind: AlertKind,
    raised_by: User,
    child_id: UUID | None = None,
    reason_sealed: str = "",
    reason_key: DataKey | None = None,
    national: bool = False,
) -> Alert:
    """The email says only that an alert exists; details are behind sign-in (no personal data by email).

    `national`: about an account the system administrator manages (`misuse_alert_raise` decides), so
    in their queue and emailed to them; otherwise the LA team of `local_authority`'s.
    It is sent once the caller's transaction commits (`oversight.signals.alert_stored`, heard by
    `oversight.alert_email`, which asks the policy whom to tell), never inside it: an alert rolled
    back with a failed request is never announced, and the mail server's round trip never runs while the
    request holds the person's screening lock (`oversight.misuse`) and its audit writer's mark.
    """
    alert = Alert.objects.create(
        local_authority=local_authority,
        kind=kind,
        child_id=child_id,
        raised_by=raised_by,
        reason_sealed=reason_sealed,
        reason_key=reason_key,
        national=national,
    )
    notify_after_commit(partial(alert_stored.send, sender=Alert, alert_id=alert.pk), what=f"alert {alert.pk}")
    return alert


def alert_acknowledge(
    *, alert: Alert, by: User, recheck: Callable[[Alert, User], None] | None = None
) -> bool:
    """Mark an alert as dealt with; the first acknowledgement stands (a second click changes nothing).

    The caller has checked that `by` may acknowledge it. That check is made again here, as every decider's
    is: `by` judged under their account's lock with their organisation held (`ActorCannotAct`, nothing
    written, if suspended, closed, cut off or lapsed since), then `recheck(alert, by as stored)` (the
    page's policy question, which raises if the alert is no longer theirs: an account moved to another LA
    meanwhile). Lock order: the account, its organisation, then the alert. Returns whether it changed.
    """
    with transaction.atomic():
        actor_able_locked(by)
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if recheck is not None:
            recheck(alert, User.objects.select_related("organisation").get(pk=by.pk))
        if alert.acknowledged_at is not None:
            return False
        alert.acknowledged_by = by
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
        event_record(
            tag=AuditTag.AlertAcknowledged, actor=by, additional={"alert_id": alert.pk, "kind": alert.kind}
        )
    return True


def alerts_follow_staff(*, organisation_id: int, from_la_id: int, to_la_id: int) -> list[int]:
    """In the caller's transaction (an administrator putting an organisation in another LA): move the
    waiting misuse alerts about its staff from their old LA team's queue to the new one's; the ids moved,
    audited by id.

    A misuse alert is for the team that manages the person's account, and that is now the new LA's: left
    behind, the old team could acknowledge it and not act on it, and the new team never saw it. Not moved:
    an alert about a child (`CHILD_ALERT_KINDS`: break-glass, a closed record tried; for the LA holding that
    child), a national one (the system administrator's wherever the person works), and one acknowledged
    (the record of who dealt with it)."""
    waiting = Alert.objects.filter(
        raised_by__organisation_id=organisation_id,
        local_authority_id=from_la_id,
        national=False,
        acknowledged_at__isnull=True,
    ).exclude(kind__in=CHILD_ALERT_KINDS)
    ids = sorted(waiting.select_for_update(of=("self",)).values_list("pk", flat=True))
    if not ids:
        return []
    Alert.objects.filter(pk__in=ids).update(local_authority_id=to_la_id)
    event_record(
        tag=AuditTag.AlertsFollowed,
        actor=None,
        additional={
            "organisation_id": organisation_id,
            "from_la_id": from_la_id,
            "to_la_id": to_la_id,
            "alert_ids": ids,
        },
    )
    return ids


def alerts_follow_child(
    *, child_id: UUID, from_la_id: int, to_la_id: int, transfer_id: UUID, by: User
) -> list[int]:
    """In the caller's transaction (a transfer accepted, `lifecycle.moves.transfer_accept`, after the child's
    row is locked): move the waiting break-glass alerts about the child from the team it left to the team
    now holding it; the ids moved, audited by id (`AlertsFollowedChild`, by the person accepting).

    A break-glass alert is for the team holding the shielded child: left behind, the team that no longer
    holds the record could acknowledge it and not act on it, and the team now holding it never learnt its
    record had been opened. Not moved: an acknowledged one (the record of who dealt with it). The event
    names no child (ids of the transfer and alerts only), as the transfer's own event is filed under it."""
    waiting = Alert.objects.filter(
        child_id=child_id,
        kind=AlertKind.SHIELD_OVERRIDE,
        local_authority_id=from_la_id,
        national=False,
        acknowledged_at__isnull=True,
    )
    ids = sorted(waiting.select_for_update(of=("self",)).values_list("pk", flat=True))
    if not ids:
        return []
    Alert.objects.filter(pk__in=ids).update(local_authority_id=to_la_id)
    event_record(
        tag=AuditTag.AlertsFollowedChild,
        actor=by,
        additional={
            "transfer_id": str(transfer_id),
            "from_la_id": from_la_id,
            "to_la_id": to_la_id,
            "alert_ids": ids,
        },
    )
    return ids


def alerts_for(*, local_authority_id: int | None, national: bool = False) -> QuerySet[Alert]:
    """A queue, in the order it is shown (a page at a time, `ALERTS_PER_PAGE`): the LA's
    (`local_authority_id`), or with `national` the system administrator's (about the accounts they manage,
    every LA's). Every alert still waiting for someone, break-glass, closed records tried and suspensions
    first (`URGENT_ALERT_KINDS`), then newest first; then the newest acknowledged ones
    (`ACKNOWLEDGED_SHOWN`), for context.

    Waiting alerts are never cut off: a single newest-200 list let later, acknowledged alerts push an
    unacknowledged override off the page while the navigation said one was waiting. They are paged
    instead, the urgent ones on the first page however many misuse alerts came after them.
    """
    queue = _queue(local_authority_id=local_authority_id, national=national)
    acknowledged = queue.filter(acknowledged_at__isnull=False).order_by("-raised_at", "-pk")
    newest_acknowledged = acknowledged.values("pk")[:ACKNOWLEDGED_SHOWN]
    place = Case(
        When(acknowledged_at__isnull=True, kind__in=URGENT_ALERT_KINDS, then=Value(0)),
        When(acknowledged_at__isnull=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        queue.filter(Q(acknowledged_at__isnull=True) | Q(pk__in=newest_acknowledged))
        .select_related("raised_by__organisation", "acknowledged_by", "reason_key", "local_authority")
        .annotate(place=place)
        .order_by("place", "-raised_at", "-pk")
    )


def alerts_unacknowledged_count(*, local_authority_id: int | None, national: bool = False) -> int:
    """How many alerts in a queue (as `alerts_for`) wait for someone (beside "Alerts" in the navigation)."""
    if local_authority_id is None and not national:
        return 0
    return (
        _queue(local_authority_id=local_authority_id, national=national)
        .filter(acknowledged_at__isnull=True)
        .count()
    )


def _queue(*, local_authority_id: int | None, national: bool) -> QuerySet[Alert]:
    """The alerts of one queue: the system administrator's (`national`) or one LA team's."""
    if national:
        return Alert.objects.filter(national=True)
    return Alert.objects.filter(national=False, local_authority_id=local_authority_id)


def alert_reason(alert: Alert) -> str:
    """The reason given for an override, opened for the LA team's queue ("" if none, or shredded)."""
    if not alert.reason_sealed or alert.reason_key is None:
        return ""
    try:
        return note_unseal(alert.reason_key, context="override", sealed=alert.reason_sealed)
    except DecryptionFailed:  # the child's key was shredded (purged record): the reason went with it
        return ""
