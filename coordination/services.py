"""Writes of coordination: matches and their notices, lead-professional proposals, confirmations.

Who may be told about a match is an access rule, so it is not decided here: callers pass a `Gate`
built on `access.policy` (see coordination/recording.py). Each write records its audit event in the
same transaction; emails go after the commit and never undo what they announce.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from accounts.directory import la_team_of
from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from children.merged_away import key_opens
from children.models import Child, Involvement, RecordStatus
from children.records import ChildDetails
from children.selectors import child_details
from children.services import (
    Recheck,
    child_rows_locked,
    lead_professional_set,
    person_judged_again,
    practitioner_held,
)
from coordination.family import carer_keys_refresh, child_carer_digests, family_child_ids
from coordination.models import InvolvementConfirmation, LeadProposal, Match, MatchKind, Notice
from coordination.sensitivity import involvement_sensitive
from notices.email import notify_after_commit, notify_by_email
from vault.blind_index import blind_index

logger = logging.getLogger(__name__)

# An involvement left open this long asks its owner to confirm it or mark it ended.
CONFIRM_AFTER = timedelta(days=730)

MATCH_EMAIL_SUBJECT = "ContactPoint: you have a new match"
MATCH_EMAIL_MESSAGE = (
    "Another practitioner is working with a child or family you work with.\n\n"
    "Sign in to ContactPoint to see who they are and how to contact them:\n{url}\n"
)


@dataclass(frozen=True)
class Audience:
    """What the policy says about telling one person about one child."""

    receives: bool
    sees_sensitive: bool = False
    reason: str = ""


Gate = Callable[[User, Child], Audience]
# May this person broker contact about a match with this (shielded) child? The brokering page's rule.
BrokerGate = Callable[[User, Child], bool]

# Sent inside the transaction of a writer that moved involvements or carers between records without
# recording one (a merge or an unmerge, `linkage.merging`: a floor above this one, below the policy the
# gate asks), with `children` (the records changed). Each may now make matches (two practitioners now with
# one child, a carer now shared with a sibling): `coordination.recording` runs the recording's match check
# for them once the transaction commits (`child_matches_record`).
matches_due = Signal()


def _pair(a: Involvement, b: Involvement) -> tuple[Involvement, Involvement]:
    return (a, b) if str(a.pk) < str(b.pk) else (b, a)


def _candidates(involvement: Involvement, recorder: User, child_ids: set[object]) -> list[Involvement]:
    """Current involvements, recorded by a practitioner of another organisation, with these children."""
    found = (
        Involvement.objects.filter(
            child_id__in=child_ids,
            child__status=RecordStatus.ACTIVE,
            ceased=False,
            recorded_by__isnull=False,
        )
        .exclude(pk=involvement.pk)
        .exclude(recorded_by=recorder)
    )
    if recorder.organisation_id is not None:
        found = found.exclude(recorded_by__organisation_id=recorder.organisation_id)
    return list(
        found.select_related("recorded_by", "child__data_key", "child__local_authority").order_by(
            "created_at", "id"
        )
    )


def involvement_matches_record(*, involvement: Involvement, gate: Gate, brokers: BrokerGate) -> list[Notice]:
    """Find the new involvement's matches, and tell each side whom the policy allows to be told; a match
    with a shielded child is emailed to that child's LA team members whom `brokers` allows.

    Runs inside the transaction that records the involvement. The family's child rows as the committed
    keys show it, then the child's carer keys (PostgreSQL advisory locks, `coordination.family`), are
    locked, each in a fixed order, so two recordings never wait on each other in a circle: of two
    practitioners recording at once, the second to take the locks sees the first's involvement, and the
    pair is matched once. Rows before keys, as every other writer of carer keys takes them (a correction,
    a merge or an unmerge holds the record's row when it rebuilds its keys): keys first, a recording
    holding the mother's key waited for a sibling's row that a correction held while it waited for that
    key, and PostgreSQL failed one of them. A sibling found only once the keys are held (its keys
    committed by a writer the keys waited for) is locked if free, never waited for (`_rows_locked`).
    """
    recorder = involvement.recorded_by
    if recorder is None or involvement.ceased:
        return []
    child = involvement.child
    locked = _rows_locked(
        {child.pk, *family_child_ids(child=child, digests=child_carer_digests(child=child))}, wait=True
    )
    family = family_child_ids(child=child, digests=carer_keys_refresh(child=child))
    _rows_locked(family - locked, wait=False)
    child_ids = {child.pk, *family}
    # A removed record (its own key shredded by a merge or purge that then failed: `children.merged_away`)
    # keeps its carer keys until it is deleted. Nothing of it can be read, so a match with it would tell a
    # practitioner of one with nothing to show (the inbox leaves it out) and count in the LA's figures.
    # Each key is read in a statement of its own, after the rows are locked: a row the lock waited for (a
    # `rotate_keys --rotate-deks` batch pointing it at a new key) is then read as committed, where the
    # locking statement would have joined its new version to the key row it first read, and dropped it.
    family_rows = Child.objects.select_related("data_key").filter(pk__in=child_ids).exclude(pk=child.pk)
    child_ids = {child.pk, *(row.pk for row in family_rows if key_opens(row.data_key))}
    involvement = Involvement.objects.select_related("recorded_by", "child__data_key").get(pk=involvement.pk)
    notices: list[Notice] = []
    for other in _candidates(involvement, recorder, child_ids):
        kind = MatchKind.CLIENT if other.child_id == child.pk else MatchKind.FAMILY
        match = _match_create(involvement, other, kind)
        if match is None:
            continue
        # One email per LA team: two shielded siblings of one LA are one match for that team to broker.
        for shielded in {
            c.local_authority_id: c for c in (involvement.child, other.child) if c.shielded
        }.values():
            notify_after_commit(
                partial(_email_brokering, match_id=match.pk, child_id=shielded.pk, brokers=brokers),
                what=f"brokering for match {match.pk}",
            )
        for own, told_of in ((involvement, other), (other, involvement)):
            notice = _notice_create(match=match, own=own, told_of=told_of, by=recorder, gate=gate)
            if notice is not None:
                notices.append(notice)
    return notices


def child_matches_record(*, child_id: UUID, gate: Gate, brokers: BrokerGate) -> int:
    """Run the recording's match check (`involvement_matches_record`) again for each current recorded
    involvement of the child, in a transaction of its own, as `coordination_index_carers` runs it: a pair
    matched already is left as it is (one match per pair), so only the matches the record now bears out
    and nobody made are made, told, audited and emailed as a recording's are. Returns how many were made.

    For a writer that changed what the check reads without recording an involvement (a merge, an
    unmerge, a carer correction), once it has committed: run inside it, the check would lock a sibling's
    row while that writer holds carer keys, the circle `involvement_matches_record` takes rows before keys
    to avoid. A record gone since (merged away, purged) or whose key no longer opens has nothing to match.
    """
    with transaction.atomic():
        child = (
            Child.objects.select_related("data_key").filter(pk=child_id, status=RecordStatus.ACTIVE).first()
        )
        if child is None or not key_opens(child.data_key):
            return 0
        its_matches = Match.objects.filter(Q(first__child_id=child_id) | Q(second__child_id=child_id))
        before = its_matches.count()
        for involvement in (
            Involvement.objects.filter(child_id=child_id, ceased=False, recorded_by__isnull=False)
            .select_related("recorded_by", "child__data_key", "child__local_authority")
            .order_by("created_at", "id")
        ):
            involvement_matches_record(involvement=involvement, gate=gate, brokers=brokers)
        return its_matches.count() - before


def _rows_locked(child_ids: set[object], *, wait: bool) -> set[object]:
    """Lock these children's rows, in id order; returns the ids locked. `wait=False` locks those free now
    and passes over the rest: asked with the carer keys held, a row held by a writer that waits for one
    of those keys (a correction or a merge of that child) would close a circle. A row passed over is read
    as committed; its writer, once it has the keys, sees this recording's match (a correction withdraws
    it if the record no longer bears it out)."""
    if not child_ids:
        return set()
    rows = Child.objects.select_for_update(skip_locked=not wait).filter(pk__in=child_ids).order_by("pk")
    return set(rows.values_list("pk", flat=True))


def _match_create(a: Involvement, b: Involvement, kind: str) -> Match | None:
    """The new match, or None if this pair was matched already (the unique constraint decides)."""
    first, second = _pair(a, b)
    try:
        with transaction.atomic():
            return Match.objects.create(kind=kind, first=first, second=second)
    except IntegrityError:
        return None


def _notice_create(
    *, match: Match, own: Involvement, told_of: Involvement, by: User, gate: Gate, email: bool = True
) -> Notice | None:
    """Tell `own`'s practitioner about `told_of`, if the policy allows them to hear about both children."""
    recipient = own.recorded_by
    if recipient is None:  # loaded involvements are never candidates; nobody to tell
        return None
    for about in {own.child_id: own.child, told_of.child_id: told_of.child}.values():
        audience = gate(recipient, about)
        if not audience.receives:
            # Filed under the child whose rule withheld it (a shielded sibling's LA team sees it), never
            # under the recipient's child, whose subject access report must not hint at the sibling.
            _withheld_record(match, about=about.pk, recipient=recipient, by=by, reason=audience.reason)
            return None
    if sibling_service_hidden(match=match, recipient=recipient, own=own, told_of=told_of, gate=gate):
        _withheld_record(
            match, about=told_of.child_id, recipient=recipient, by=by, reason="sibling_sensitive_service"
        )
        return None
    notice = Notice.objects.create(match=match, recipient=recipient, involvement=own, other=told_of)
    # The service tells, not the recorder: with the recorder as actor, a family match would put the
    # sibling's practitioner's organisation into this child's subject access report.
    event_record(
        tag=AuditTag.MatchNotified,
        actor=None,
        child_id=own.child_id,
        additional={
            "recorded_by_id": by.pk,
            "match_id": match.pk,
            "kind": match.kind,
            "recipient_id": recipient.pk,
            "notice_id": notice.pk,
        },
    )
    if email:
        notify_after_commit(
            partial(_email_notice, notice_id=notice.pk, address=recipient.email),
            what=f"match notice {notice.pk}",
        )
    return notice


def _withheld_record(match: Match, *, about: UUID, recipient: User, by: User, reason: str) -> None:
    """Audit a match not told to `recipient`, under the child `about` whose rule withheld it."""
    event_record(
        tag=AuditTag.MatchWithheld,
        actor=None,
        child_id=about,
        additional={
            "match_id": match.pk,
            "kind": match.kind,
            "recipient_id": recipient.pk,
            "recorded_by_id": by.pk,
            "reason": reason,
        },
    )


def sibling_service_hidden(
    *, match: Match, recipient: User, own: Involvement, told_of: Involvement, gate: Gate
) -> bool:
    """A family match whose other side is a sensitive service the recipient may not see is told to them not
    at all. On the child's own record an ordinary practitioner sees only that the LA team brokers contact
    with another service (the domain's rule); told of a brother's or sister's, it would say that someone in
    the family is seen by a sexual health, mental health or substance misuse service, which the sibling's
    consent never covered. The sensitive service is still told who works with the sibling."""
    if match.kind != MatchKind.FAMILY or own.child_id == told_of.child_id:  # one child's: brokered
        return False
    if gate(recipient, told_of.child).sees_sensitive:
        return False
    return involvement_sensitive(told_of)


def _current(matches: QuerySet[Match]) -> QuerySet[Match]:
    """Matches both of whose involvements are current, on active records: the ones still worth telling."""
    return matches.filter(
        first__ceased=False,
        second__ceased=False,
        first__child__status=RecordStatus.ACTIVE,
        second__child__status=RecordStatus.ACTIVE,
    ).select_related(
        "first__recorded_by", "second__recorded_by", "first__child__data_key", "second__child__data_key"
    )


def _tell_late(
    *, match: Match, own: Involvement, other: Involvement, gate: Gate, email: bool
) -> Notice | None:
    """Tell `own`'s practitioner of a match made while the gate withheld it, if the gate now allows both
    children. Nothing is recorded when it still refuses (that was recorded when the match was made)."""
    recipient = own.recorded_by
    if recipient is None or not all(gate(recipient, child).receives for child in (own.child, other.child)):
        return None
    if sibling_service_hidden(match=match, recipient=recipient, own=own, told_of=other, gate=gate):
        return None  # recorded when the match was made; nothing new to say
    recorder = max((match.first, match.second), key=lambda side: side.created_at).recorded_by
    try:
        with transaction.atomic():
            return _notice_create(
                match=match, own=own, told_of=other, by=recorder or recipient, gate=gate, email=email
            )
    except IntegrityError:  # told at the same moment by another path (an inbox read, a lift)
        return None


def withheld_notices_tell(*, recipient: User, gate: Gate) -> list[Notice]:
    """Tell the recipient, now, of their current matches they were not told of when they were made (the
    gate withheld them: a child shielded then, since lifted) and that the gate now allows.

    Called as the inbox is read, which decides again at reading time what it shows. Lifting a shield
    tells at once (`shield_lifted_notices_tell`); this catches what the gate refused then and allows now
    (the recipient's own account suspended at the lift, say). No email is sent: the recipient is reading it.
    """
    untold = (
        _current(Match.objects.filter(Q(first__recorded_by=recipient) | Q(second__recorded_by=recipient)))
        .exclude(notices__recipient=recipient)
        .order_by("created_at", "id")[:200]
    )
    told: list[Notice] = []
    for match in untold:
        own, other = (
            (match.first, match.second)
            if match.first.recorded_by_id == recipient.pk
            else (match.second, match.first)
        )
        notice = _tell_late(match=match, own=own, other=other, gate=gate, email=False)
        if notice is not None:
            told.append(notice)
    return told


def shield_lifted_notices_tell(*, child: Child, gate: Gate) -> list[Notice]:
    """The LA team has just lifted `child`'s shield: tell, and email, each practitioner of a current match
    with this child that the shield withheld, where the gate now allows (a match whose other child is
    still shielded stays withheld).

    Runs in the lifting transaction; emails go after its commit. Without it a withheld match waited for
    each practitioner's next inbox read, and nobody is prompted to read it: the early contact between
    services the index exists for would not happen.
    """
    told: list[Notice] = []
    matches = _current(Match.objects.filter(Q(first__child=child) | Q(second__child=child))).prefetch_related(
        "notices"
    )
    for match in matches.order_by("created_at", "id"):
        already = {notice.recipient_id for notice in match.notices.all()}
        for own, other in ((match.first, match.second), (match.second, match.first)):
            if own.recorded_by_id in already:
                continue
            notice = _tell_late(match=match, own=own, other=other, gate=gate, email=True)
            if notice is not None:
                told.append(notice)
    return told


def _email_notice(*, notice_id: int, address: str) -> None:
    """No personal data in the email: only that a match is waiting behind sign-in."""
    url = settings.SERVICE_BASE_URL.rstrip("/") + reverse("coordination:inbox")
    notify_by_email(
        subject=MATCH_EMAIL_SUBJECT,
        message=MATCH_EMAIL_MESSAGE.format(url=url),
        recipients=[address],
        what=f"match notice {notice_id}",
    )


BROKER_EMAIL_SUBJECT = "ContactPoint: a match about a shielded child needs brokering"
BROKER_EMAIL_MESSAGE = (
    "Two practitioners are working with a shielded child or their family. Neither has been told.\n\n"
    "Sign in to ContactPoint to decide whether to broker contact:\n{url}\n"
)


def _email_brokering(*, match_id: int, child_id: UUID, brokers: BrokerGate) -> None:
    """The shielded child's LA team brokers contact; the email names nobody.

    It goes to whom the policy lets broker for the child (`brokers`: the brokering page's own rule), read
    after the commit, never to a list of its own: "the LA's team, active and not suspended" also emailed
    members whose training or vetting had lapsed, or whose agreement was unsigned, about a shielded child,
    to a page that refuses them."""
    child = Child.objects.select_related("local_authority").filter(pk=child_id).first()
    if child is None:  # purged or merged away since the commit
        return
    recipients = [user.email for user in la_team_of(child.local_authority_id) if brokers(user, child)]
    if not recipients:
        logger.warning("brokering email for match %s: nobody may broker it at present", match_id)
        return
    url = settings.SERVICE_BASE_URL.rstrip("/") + reverse("coordination:brokering")
    notify_by_email(
        subject=BROKER_EMAIL_SUBJECT,
        message=BROKER_EMAIL_MESSAGE.format(url=url),
        recipients=recipients,
        what=f"brokering for match {match_id}",
    )


LEAD_SEEN_PURPOSE = "coordination-lead-seen"

LEAD_OFFER_ACCEPTED_ALREADY = "This offer has already been accepted. Nothing has been changed."
LEAD_OFFER_PROPOSER_ENDED = (
    "This offer can no longer be accepted: the practitioner who made it no longer works with the child. "
    "Nothing has been changed."
)
LEAD_OFFER_PROPOSER_CANNOT_ACT = (
    "This offer cannot be accepted at the moment: the practitioner who made it cannot take it on at "
    "present. Nothing has been changed."
)
LEAD_OFFER_NOBODY_TO_ACCEPT = (
    "You cannot offer to be lead professional on this match: the other practitioner no longer works with "
    "this child, so nobody could accept. Nothing has been changed."
)
LEAD_OFFER_ALREADY_LEAD = "You are already the lead professional for this child. Nothing has been changed."
LEAD_OFFER_WITHDRAWN = (
    "This offer can no longer be accepted: it was withdrawn, as the records it was made on have changed. "
    "Nothing has been changed."
)
LEAD_OFFER_OVERTAKEN = (
    "This offer can no longer be accepted: the lead professional has changed since it was made. "
    "Nothing has been changed."
)


class LeadOfferNobodyToAccept(Exception):
    """The other side of the match has ended: only they may accept an offer, and now they cannot."""


class LeadOfferAlreadyLead(Exception):
    """The proposer is lead professional already (their offer accepted, or named by the LA team): there is
    nothing to offer, and no offer is made."""


@dataclass(frozen=True)
class LeadAcceptance:
    """What became of an acceptance: `refusal` says why not, in words for the page. True if accepted."""

    accepted: bool
    refusal: str = ""

    def __bool__(self) -> bool:
        return self.accepted


def lead_seen_digest(child: Child, details: ChildDetails | None = None) -> int:
    """Who is lead professional now (or that nobody is), and how many times the lead has changed
    (`Child.lead_version`), as a keyed digest: a proposal keeps it to tell, when accepted, whether the
    lead has changed since, without keeping the sealed lead in the clear. The lead alone read a lead
    changed and changed back (nobody, Carol, nobody) as never changed: an offer made before Carol was
    chosen came back to life, in any of the child's matches, once she no longer led."""
    return _lead_digest(child.pk, (details or child_details(child)).lead_professional_id, child.lead_version)


def _lead_digest(child_id: object, lead_professional_id: str | None, lead_version: int) -> int:
    # At version 0 (no change since versions were counted) as digested before: offers made then stand.
    counted = f"\x1f{lead_version}" if lead_version else ""
    return blind_index(LEAD_SEEN_PURPOSE, f"{child_id}\x1f{lead_professional_id or ''}{counted}")


def lead_offer_overtaken(
    proposal: LeadProposal, *, child_id: object, lead_now: int, accepted_in_match: list[LeadProposal]
) -> bool:
    """Has the lead professional changed since the offer was made, or another offer in its match been
    accepted since? Either way, accepting it would replace a choice its acceptor may never have seen.
    An offer made before offers kept the lead they saw counts as made when nobody was lead."""
    seen = proposal.lead_seen if proposal.lead_seen is not None else _lead_digest(child_id, None, 0)
    if seen != lead_now:
        return True
    return any(
        other.pk != proposal.pk
        and other.accepted_at is not None
        and other.accepted_at >= proposal.proposed_at
        for other in accepted_in_match
    )


def lead_propose(
    *, match: Match, involvement: Involvement, by: User, recheck: Recheck | None = None
) -> LeadProposal:
    """`by` (the owner of `involvement`, checked by the policy) offers to coordinate for the child.

    Returns the offer now standing (never an accepted one): the page reports an offer only when one is
    there for the other side to accept. The offer keeps who was lead professional when it was made.
    Offering again after it was overtaken (the lead changed before anyone accepted it, or since it was
    accepted) renews it, unaccepted, with the lead as it is now, and audits it as made. A proposer who
    leads already has nothing to offer (`LeadOfferAlreadyLead`).

    From the page (`recheck` given) the person is judged again first, under their account's lock
    (`person_judged_again`); then `recheck` judges the record as stored under the child's row lock (taken
    next, as `lead_accept` and `involvement_cease` do) before anything is written: an involvement ended or a record shielded since
    the page's check makes no offer. Nor does a match whose other side has ended (read under the same
    lock, which ending it takes first): only they may accept, so the offer, its audit event and the page's
    "the other practitioner can accept" would all be untrue (`LeadOfferNobodyToAccept`)."""
    if not match.about_one_child or involvement.pk not in (match.first_id, match.second_id):
        raise ValueError("only a side of a client match can propose itself as lead professional")
    with transaction.atomic():
        person_judged_again(by, recheck)
        child = involvement.child
        if recheck is not None:
            stored = _involvement_child_locked(involvement)
            recheck(stored)
            child = stored
            if not Match.objects.filter(pk=match.pk).exists():  # withdrawn since (an unmerge split it)
                raise Match.DoesNotExist
        other_side = match.second_id if involvement.pk == match.first_id else match.first_id
        if not Involvement.objects.filter(pk=other_side, ceased=False).exists():
            raise LeadOfferNobodyToAccept
        details = child_details(child)
        if details.lead_professional_id == str(involvement.pk):
            raise LeadOfferAlreadyLead
        lead_now = lead_seen_digest(child, details)
        proposal, created = LeadProposal.objects.get_or_create(
            match=match, involvement=involvement, defaults={"lead_seen": lead_now}
        )
        accepted = list(LeadProposal.objects.filter(match=match, accepted_at__isnull=False))
        # An offer no longer standing is made again: one overtaken (by a change of lead, or by the other
        # side's offer accepted since), or one accepted whose proposer no longer leads (the LA team cleared
        # the lead or named someone else since). Either was kept as it was: the page said "You have
        # offered" while nothing was offered or audited, and the other side had nothing to accept.
        renewed = not created and (
            proposal.accepted_at is not None
            or lead_offer_overtaken(
                proposal, child_id=child.pk, lead_now=lead_now, accepted_in_match=accepted
            )
        )
        withdrawn: list[int] = []
        if renewed:
            if proposal.accepted_at is not None:
                withdrawn = _overtaken_by_withdraw(proposal)
            proposal.lead_seen, proposal.proposed_at = lead_now, timezone.now()
            proposal.accepted_by, proposal.accepted_at = None, None
            proposal.save(update_fields=["lead_seen", "proposed_at", "accepted_by", "accepted_at"])
        if created or renewed:
            event_record(
                tag=AuditTag.LeadProfessionalProposed,
                actor=by,
                child_id=child.pk,
                additional={
                    "match_id": match.pk,
                    "proposal_id": proposal.pk,
                    "involvement_id": str(involvement.pk),
                    **({"withdrawn_proposal_ids": withdrawn} if withdrawn else {}),
                },
            )
    return proposal


def _overtaken_by_withdraw(accepted: LeadProposal) -> list[int]:
    """An accepted offer about to be made again is no longer an acceptance, and its acceptance was what
    kept the other side's offers made before it overtaken (`lead_offer_overtaken`): with the lead back to
    what they saw (nobody, say), they would come back to life, an offer made before the lead it would
    replace was ever chosen. They are withdrawn instead (they could never be accepted again); their
    proposer may offer afresh. Returns their ids, for the renewal's audit event."""
    overtaken = LeadProposal.objects.filter(
        match_id=accepted.match_id, accepted_at__isnull=True, proposed_at__lte=accepted.accepted_at
    ).exclude(pk=accepted.pk)
    ids = list(overtaken.values_list("pk", flat=True))
    overtaken.delete()
    return ids


def lead_accept(
    *, proposal: LeadProposal, by: User, recheck: Recheck | None = None, gate: Gate | None = None
) -> LeadAcceptance:
    """The other side accepts: the proposer becomes lead professional, unless the offer can no longer be
    (accepted already, the proposer's involvement ended, or the lead changed since it was made).

    `recheck` judges the record as stored under its lock before anything is written (see
    `children.services.involvement_record`): the LA team may have shielded it since the page's check.
    `gate` (the policy, as for telling a match) judges the proposer as stored: an offer whose proposer is
    suspended, closed or no longer vetted waits, as they could not take on what they offered.

    From the page (`recheck` given) the acceptor is judged again first, under their account's lock
    (`person_judged_again`). Then it locks the child's row, then the proposal alone (`of=self`): the order
    of `involvement_cease` and `lead_professional_set`, so accepting while the proposer ends their involvement, or while the LA
    team names a lead, waits for the other instead of deadlocking, and judges what it committed.
    """
    with transaction.atomic():
        person_judged_again(by, recheck)
        child_id = (
            LeadProposal.objects.filter(pk=proposal.pk)
            .values_list("involvement__child_id", flat=True)
            .first()
        )
        if child_id is None:  # withdrawn with its match (an unmerge) since the page found it
            return LeadAcceptance(accepted=False, refusal=LEAD_OFFER_WITHDRAWN)
        child = child_rows_locked().filter(pk=child_id).first()
        if child is None:  # merged away since: the offer was made on a record that is no more
            return LeadAcceptance(accepted=False, refusal=LEAD_OFFER_OVERTAKEN)
        if recheck is not None:
            recheck(child)
        locked = (
            LeadProposal.objects.select_for_update(of=("self",))
            .select_related("involvement")
            .filter(pk=proposal.pk)
            .first()
        )
        if locked is None:  # withdrawn while this waited for the child's row (the unmerge held it)
            return LeadAcceptance(accepted=False, refusal=LEAD_OFFER_WITHDRAWN)
        proposal = locked
        proposed = proposal.involvement
        refusal = _lead_accept_refusal(proposal, child) or _lead_proposer_refusal(proposed, child, gate)
        if refusal:
            return LeadAcceptance(accepted=False, refusal=refusal)
        proposal.accepted_by = by
        proposal.accepted_at = timezone.now()
        proposal.save(update_fields=["accepted_by", "accepted_at"])
        lead_professional_set(child=child, by=by, involvement=proposed)
        event_record(
            tag=AuditTag.LeadProfessionalAccepted,
            actor=by,
            child_id=proposed.child_id,
            additional={
                "match_id": proposal.match_id,
                "proposal_id": proposal.pk,
                "involvement_id": str(proposed.pk),
            },
        )
    return LeadAcceptance(accepted=True)


def _lead_accept_refusal(proposal: LeadProposal, child: Child) -> str:
    """Why the offer cannot be accepted now ("" if it can), judged under the child's row lock."""
    if proposal.accepted_at is not None:
        return LEAD_OFFER_ACCEPTED_ALREADY
    if proposal.involvement.ceased:
        return LEAD_OFFER_PROPOSER_ENDED
    if proposal.involvement.child_id != child.pk:  # moved to another record (a merge) since the lookup
        return LEAD_OFFER_OVERTAKEN
    accepted = list(LeadProposal.objects.filter(match_id=proposal.match_id, accepted_at__isnull=False))
    lead_now = lead_seen_digest(child)
    if lead_offer_overtaken(proposal, child_id=child.pk, lead_now=lead_now, accepted_in_match=accepted):
        return LEAD_OFFER_OVERTAKEN
    return ""


def _involvement_child_locked(involvement: Involvement) -> Child:
    """The involvement's record as stored, its row locked (the lock `involvement_cease` takes first). The
    involvement is read afresh: a merge since moved it to the surviving record. Raises
    `Involvement.DoesNotExist` if it is gone (its record purged, or merged away as this read it)."""
    child_id = Involvement.objects.filter(pk=involvement.pk).values_list("child_id", flat=True).first()
    stored = child_rows_locked().filter(pk=child_id).first() if child_id is not None else None
    if stored is None:
        raise Involvement.DoesNotExist
    return stored


def _lead_proposer_refusal(proposed: Involvement, child: Child, gate: Gate | None) -> str:
    """Why the offer's proposer could not take it on now ("" if they can): the account as stored, its row
    held (FOR KEY SHARE, `children.services.practitioner_held`, as `lead_professional_set(may_lead=)`; a
    suspension or closure takes it FOR UPDATE). Read unlocked, a suspension committed between this read
    and the acceptance's commit went unseen and the practitioner was named lead after it; now one
    committed first is seen, and one arriving later waits for the acceptance. Taken after the child's row
    and the offer's, so never FOR NO KEY UPDATE: that deadlocked with the proposer's own decision on this
    record at the same moment (a correction: their account first, then the child's row)."""
    if gate is None:
        return ""
    proposer = practitioner_held(proposed.recorded_by_id) if proposed.recorded_by_id else None
    if proposer is None or not gate(proposer, child).receives:
        return LEAD_OFFER_PROPOSER_CANNOT_ACT
    return ""


def involvement_confirm(*, involvement: Involvement, by: User, recheck: Recheck | None = None) -> None:
    """The owner says an old involvement is still current: no reminder for another 2 years.

    From the page (`recheck` given) the person is judged again first, under their account's lock
    (`person_judged_again`); then `recheck` judges the record as stored under the child's row lock (the
    lock `involvement_cease` takes first), before anything is written: an involvement ended, or a record shielded, since the page's
    check is refused there, never confirmed after the fact."""
    with transaction.atomic():
        person_judged_again(by, recheck)
        child_id = involvement.child_id
        if recheck is not None:
            stored = _involvement_child_locked(involvement)
            recheck(stored)
            child_id = stored.pk
        InvolvementConfirmation.objects.update_or_create(
            involvement=involvement, defaults={"confirmed_at": timezone.now()}
        )
        event_record(
            tag=AuditTag.InvolvementConfirmed,
            actor=by,
            child_id=child_id,
            additional={"involvement_id": str(involvement.pk)},
        )


def involvements_to_confirm(*, owner: User, now: datetime | None = None) -> list[Involvement]:
    """The owner's current involvements recorded (or last confirmed) more than 2 years ago."""
    cutoff = (now or timezone.now()) - CONFIRM_AFTER
    confirmed_recently = InvolvementConfirmation.objects.filter(confirmed_at__gt=cutoff).values(
        "involvement_id"
    )
    return list(
        Involvement.objects.filter(
            recorded_by=owner, ceased=False, created_at__lte=cutoff, child__status=RecordStatus.ACTIVE
        )
        .exclude(pk__in=confirmed_recently)
        .select_related("child__data_key")
        .order_by("created_at")
    )
