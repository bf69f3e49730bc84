"""Where recording an involvement meets the match check, and where the policy decides who is told.

It also listens for a corrected carer detail (`children.signals.carer_details_changed`), sent by
corrections, which may not import coordination, and rebuilds the child's carer keys; for a merge or an
unmerge (`coordination.services.matches_due`, sent by linkage, which may not ask the policy); in both
cases the match check runs again for the records changed once their change commits
(`child_matches_record`); and for a lifted shield (`children.signals.shield_lifted`, sent by
lifecycle), and tells the matches it withheld.

`children` never imports `coordination`: this listens for a newly saved involvement instead (every
recording path, the page or a future feed, goes through `children.services.involvement_record`). It sits
with the pages because it asks `access.policy` (the one place for access rules) who may hear about a
child: a shielded child is told to nobody outside its LA team, a person the policy would refuse gets
nothing, and sensitive services are named only to whom `access.policy.visibility` allows.

The check runs in a savepoint of the recording's transaction, so a failure to match never undoes the
recording itself (it is logged, with the involvement id only).
"""

import logging
from functools import partial
from typing import Any
from uuid import UUID

from django.db import DatabaseError, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from access.permissions import Permission
from access.policy import decide, visibility
from accounts.models import User
from children.models import Carer, Child, Involvement
from children.signals import carer_details_changed, shield_lifted
from coordination.family import carer_keys_refresh, matches_untrue_withdraw
from coordination.models import CarerKey
from coordination.services import (
    Audience,
    child_matches_record,
    involvement_matches_record,
    matches_due,
    shield_lifted_notices_tell,
)
from notices.email import notify_after_commit

logger = logging.getLogger(__name__)


def match_audience(recipient: User, child: Child) -> Audience:
    """May `recipient` be told about a match involving `child`, and would they see sensitive services?"""
    decision = decide(actor=recipient, action=Permission.MatchReceive, child=child)
    if not decision:
        return Audience(receives=False, reason=decision.reason)
    return Audience(receives=True, sees_sensitive=visibility(actor=recipient, child=child).sensitive_services)


def may_broker(user: User, child: Child) -> bool:
    """Is `user` one of the LA team the brokering page serves for `child`: allowed `MatchBroker` (vetted,
    LA team, with a home LA) and of the child's LA (the page lists the matches of the team's home LA)?
    Asked before the brokering email is sent, so it reaches whom the page would serve and nobody else."""
    return bool(decide(actor=user, action=Permission.MatchBroker, child=child))


@receiver(post_save, sender=Involvement, dispatch_uid="coordination.recording.involvement_saved")
def involvement_saved(sender: type[Involvement], instance: Involvement, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw") or instance.recorded_by_id is None:
        return
    try:
        with transaction.atomic():
            involvement_matches_record(involvement=instance, gate=match_audience, brokers=may_broker)
    except DatabaseError as error:
        logger.warning("match check failed for involvement %s: %s", instance.pk, type(error).__name__)


@receiver(carer_details_changed, dispatch_uid="coordination.recording.carer_details_changed")
def carer_details_changed_rekey(sender: type[Carer], child: Child, **kwargs: Any) -> int:
    """A carer's contact was corrected: rebuild the child's carer keys in the same transaction, so a family
    match is never made through a phone or email the record no longer holds (nor missed through the new
    one), and withdraw the family matches already made through it. Keys are written lazily (when an
    involvement is recorded): a child without any has no family match and is left so. A failure here
    undoes the correction rather than leave a wrong key behind. Returns the matches withdrawn.

    The family matches the corrected detail bears out are made once the correction commits (the match
    check, `matches_make_after_commit`): rebuilding alone left two siblings whose practitioners had both
    recorded unmatched until someone recorded again."""
    if not CarerKey.objects.filter(child=child).exists():
        return 0
    carer_keys_refresh(child=child)
    withdrawn = matches_untrue_withdraw(children=[child])
    matches_make_after_commit([child.pk])
    return withdrawn


@receiver(matches_due, dispatch_uid="coordination.recording.matches_due")
def matches_due_check(sender: Any, children: list[Child], **kwargs: Any) -> None:
    """A merge or an unmerge moved involvements and carers between these records: once it commits, make
    the matches they now bear out (two practitioners now with one child, a sibling's carer now shared)."""
    matches_make_after_commit([child.pk for child in children])


def matches_make_after_commit(child_ids: list[UUID]) -> None:
    """Once the transaction commits, run the recording's match check for each of these records, each in a
    transaction of its own (`child_matches_record`), told and audited as a recording's matches.

    After the commit, not in it: the writers that call this (a correction, a merge, an unmerge) hold the
    record's row and its carer keys, and the check then waits for each sibling's row, which a
    practitioner recording on that sibling holds while it waits for those keys. A failure is logged (ids
    and the error's kind only) and never reaches the person whose change committed; `manage.py
    coordination_index_carers` makes what it missed."""
    for child_id in dict.fromkeys(child_ids):
        notify_after_commit(
            partial(child_matches_record, child_id=child_id, gate=match_audience, brokers=may_broker),
            what=f"match check for child {child_id}",
        )


@receiver(shield_lifted, dispatch_uid="coordination.recording.shield_lifted")
def shield_lifted_tell(sender: type[Child], child: Child, **kwargs: Any) -> None:
    """A shield was lifted: tell the matches it withheld now, by email, in the lifting transaction (a
    failure here undoes the lift rather than leave it half told; the team can try again)."""
    shield_lifted_notices_tell(child=child, gate=match_audience)
