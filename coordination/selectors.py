"""Reads of coordination: a practitioner's inbox and the LA team's match counts.

What the inbox shows is decided again at reading time through the `Gate` (a child shielded since the
match was made, or a practitioner whose training lapsed, sees nothing of it), and decrypts only the
other practitioner's contact details and the name of the recipient's own child.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import TypeVar
from uuid import UUID

from django.db.models import Q

from accounts.models import Organisation, User
from children.merged_away import RecordRemoved, opened_unless_merged_away
from children.models import Child, Involvement, RecordStatus
from children.records import ChildDetails, InvolvementDetails
from children.selectors import InvolvementView, child_details, involvement_details
from coordination.models import LeadProposal, Match, MatchKind, Notice
from coordination.sensitivity import involvement_sensitive
from coordination.services import (
    Gate,
    involvements_to_confirm,
    lead_offer_overtaken,
    lead_seen_digest,
    sibling_service_hidden,
)
from vault.crypto import KeyRevoked
from vault.keys import KeyShredded, data_key_open

Listed = TypeVar("Listed")

# The most notices one inbox read lists (each decrypts a child's name and the other side's details).
# Those about the recipient's own current involvements come first, so the ones cut are the oldest of
# those whose own side has ended; the page says when any are (`Inbox.more_not_shown`).
INBOX_LIMIT = 200


def _record_removed(child: Child) -> bool:
    """Gone since it was read, or still there under its own key shredded (a purge or merge that failed
    after its shred, `children.merged_away`): nothing of it can be read, nor is there anyone left to
    coordinate with about it."""
    try:
        return opened_unless_merged_away(child.pk, partial(data_key_open, child.data_key)) is None
    except RecordRemoved:
        return True


def _unless_removed(build: Callable[[], Listed], children: list[Child]) -> Listed | None:
    """`build()` (which opens these children's keys), or None, the item left out of the list, when one of
    the records is removed. A list page then shows the rest: before, one such record made the practitioner's
    whole inbox, or the LA team's whole brokering page, a server error until the record was deleted (a
    shielded leftover waits for a person). A key refused while every record's own opens is a real fault:
    raised as it was."""
    try:
        return build()
    except (KeyRevoked, KeyShredded):
        if any(_record_removed(child) for child in children):
            return None
        raise


@dataclass
class Contact:
    """Whom to contact about the match: the other practitioner, or the LA team brokering a sensitive service."""

    brokered: bool
    name: str = ""
    role: str = ""
    organisation: str = ""
    phone: str | None = None
    email: str | None = None


@dataclass
class InboxEntry:
    notice: Notice
    kind_label: str
    family: bool
    child_id: UUID
    child_name: str
    ended: bool
    contact: Contact
    lead_is_me: bool = False
    lead_is_them: bool = False
    my_proposal_pending: bool = False
    their_proposal: LeadProposal | None = None
    their_proposal_overtaken: bool = False  # they offered, but the lead changed since: nothing to accept


@dataclass
class ConfirmEntry:
    involvement: Involvement
    child_id: UUID
    child_name: str
    role: str
    started_on: date | None


@dataclass
class Inbox:
    current: list[InboxEntry] = field(default_factory=list)
    ended: list[InboxEntry] = field(default_factory=list)
    to_confirm: list[ConfirmEntry] = field(default_factory=list)
    more_not_shown: bool = False  # more notices than `INBOX_LIMIT`: the page says some are not listed


def _service_sensitive(
    other: Involvement, details: InvolvementDetails, organisation: Organisation | None
) -> bool:
    """Is `other` a sensitive service's, as the record page judges it (`InvolvementView.is_sensitive`: its
    category, or its organisation classed as one since) or as accepting its offer does (its recorder's
    organisation, `involvement_sensitive`)? Hidden if either says so."""
    view = InvolvementView(involvement=other, details=details, organisation=organisation)
    return view.is_sensitive or involvement_sensitive(other)


def _contact(
    details: InvolvementDetails,
    *,
    organisation: Organisation | None,
    sensitive: bool,
    names_service: bool,
    practitioner_can_act: bool,
    broker: Organisation,
) -> Contact:
    """The other practitioner, or an LA team (`broker`): for a service the recipient may not see named,
    and for a practitioner the rules now refuse (suspended, perhaps for misuse; closed; vetting lapsed).
    Given as the person to call, they would be told about the child by phone what the index no longer
    shows them; the LA team brokers instead until they are reinstated."""
    if (sensitive and not names_service) or not practitioner_can_act:
        la = broker
        return Contact(brokered=True, organisation=la.name, phone=la.phone, email=la.email)
    return Contact(
        brokered=False,
        name=details.practitioner_name,
        role=details.role,
        organisation=organisation.name if organisation else "",
        phone=details.phone,
        email=details.email,
    )


def _entry(notice: Notice, recipient: User, gate: Gate, proposals: list[LeadProposal]) -> InboxEntry | None:
    own, other = notice.involvement, notice.other
    audiences = [gate(recipient, own.child), gate(recipient, other.child)]
    if not all(a.receives for a in audiences):
        return None
    if sibling_service_hidden(match=notice.match, recipient=recipient, own=own, told_of=other, gate=gate):
        return None  # a notice told before this rule: a sibling's sensitive service is not shown
    details = involvement_details(other)
    organisation = Organisation.objects.filter(pk=details.organisation_id).first()
    sensitive = _service_sensitive(other, details, organisation)
    # A service hidden from the recipient is not said to lead, nor offered as lead (the record page shows
    # them no lead professional where it is such a service: "None recorded"), nor said to have ended: the
    # record page keeps saying "Another service is also involved" once it has (it counts ended ones too),
    # so moving the match to "Ended matches" told when the hidden service stopped seeing the child.
    service_hidden = sensitive and not audiences[1].sees_sensitive
    own_details = child_details(own.child)
    practitioner = other.recorded_by
    practitioner_can_act = practitioner is not None and gate(practitioner, other.child).receives
    # A family match whose two records were merged since is one child's: told as a client match.
    family = notice.match.kind == MatchKind.FAMILY and own.child_id != other.child_id
    entry = InboxEntry(
        notice=notice,
        kind_label=MatchKind(MatchKind.FAMILY if family else MatchKind.CLIENT).label,
        family=family,
        child_id=own.child_id,
        child_name=own_details.full_name,
        ended=own.ceased or (other.ceased and not service_hidden),
        contact=_contact(
            details,
            organisation=organisation,
            sensitive=sensitive,
            names_service=audiences[1].sees_sensitive,
            practitioner_can_act=practitioner_can_act,
            # A sibling's LA team would say where the sibling's record is held: the recipient's child's.
            broker=(own.child if family else other.child).local_authority,
        ),
    )
    if not family:
        entry.lead_is_me = own_details.lead_professional_id == str(own.pk)
        entry.lead_is_them = own_details.lead_professional_id == str(other.pk) and not service_hidden
        in_match = [p for p in proposals if p.match_id == notice.match_id]
        if service_hidden:
            in_match = [p for p in in_match if p.involvement_id != other.pk]
        _proposals_place(entry, own, other, own_details, in_match, gate)
    return entry


def _proposals_place(
    entry: InboxEntry,
    own: Involvement,
    other: Involvement,
    own_details: ChildDetails,
    in_match: list[LeadProposal],
    gate: Gate,
) -> None:
    """Open offers of this match: one overtaken (the lead changed since it was made) is no longer offered,
    to accept or to wait on; its proposer may offer again. The other side's offer is not offered while the
    rules refuse its proposer (suspended, closed, vetting lapsed: `lead_accept` would refuse it)."""
    lead_now = lead_seen_digest(own.child, own_details)
    accepted = [p for p in in_match if p.accepted_at is not None]
    for proposal in in_match:
        if proposal.accepted_at is not None:
            continue
        overtaken = lead_offer_overtaken(
            proposal, child_id=own.child_id, lead_now=lead_now, accepted_in_match=accepted
        )
        if proposal.involvement_id == own.pk:
            entry.my_proposal_pending = not overtaken
        elif proposal.involvement_id == other.pk:
            waits = other.recorded_by is None or not gate(other.recorded_by, own.child).receives
            entry.their_proposal = None if overtaken or waits else proposal
            entry.their_proposal_overtaken = overtaken


def inbox_for(*, recipient: User, gate: Gate) -> Inbox:
    """The recipient's matches (current first, then ended) and old involvements to confirm.

    At most `INBOX_LIMIT` notices, those about the recipient's own current involvements first, then the
    newest: cut newest first whatever their state, a practitioner whose newer matches had ended lost an
    older current one from the page, and nothing said so. Ordered by their own side's state alone, which
    they know: the other side's would sort a hidden sensitive service's ended match apart (`_entry`)."""
    notices = list(
        Notice.objects.filter(recipient=recipient)
        .select_related(
            "match",
            "involvement__child__data_key",
            "involvement__child__local_authority",
            "other__child__data_key",
            "other__child__local_authority",
            "other__recorded_by__organisation",
        )
        .order_by("involvement__ceased", "-created_at", "-id")[: INBOX_LIMIT + 1]
    )
    inbox = Inbox(more_not_shown=len(notices) > INBOX_LIMIT)
    notices = notices[:INBOX_LIMIT]
    proposals = list(LeadProposal.objects.filter(match_id__in={n.match_id for n in notices}))
    for notice in notices:
        entry = _unless_removed(
            partial(_entry, notice, recipient, gate, proposals),
            [notice.involvement.child, notice.other.child],
        )
        if entry is not None:
            (inbox.ended if entry.ended else inbox.current).append(entry)
    inbox.ended.sort(key=lambda e: (e.notice.created_at, e.notice.pk), reverse=True)  # newest first
    for involvement in involvements_to_confirm(owner=recipient):
        if not gate(recipient, involvement.child).receives:
            # A child shielded since: confirming is its LA team's now (refused to the owner), so the
            # reminder would name the child and offer a refusal; the owner ends their own involvement from
            # the restricted record (`access.policy._decide_cease`).
            continue
        confirm = _unless_removed(partial(_confirm_entry, involvement), [involvement.child])
        if confirm is not None:
            inbox.to_confirm.append(confirm)
    return inbox


def _confirm_entry(involvement: Involvement) -> ConfirmEntry:
    details = involvement_details(involvement)
    return ConfirmEntry(
        involvement=involvement,
        child_id=involvement.child_id,
        child_name=child_details(involvement.child).full_name,
        role=details.role,
        started_on=details.started_on,
    )


def match_counts(*, local_authority_id: int | None) -> dict[str, dict[str, int]]:
    """Matches touching the LA's children, by kind: current, or ended.

    Current as a match is current everywhere else (`coordination.services._current`: what is still told,
    shown and brokered): both involvements current and both records active. A match on a record since
    archived, or closed for a new identity, has ended with the record: counted as current, it overstated
    the matches in force (the statistics page says what "current" leaves out)."""
    in_la = Q(first__child__local_authority_id=local_authority_id) | Q(
        second__child__local_authority_id=local_authority_id
    )
    counts: dict[str, dict[str, int]] = {kind: {"current": 0, "ended": 0} for kind in MatchKind.values}
    rows = Match.objects.filter(in_la).values_list(
        "kind", "first__ceased", "second__ceased", "first__child__status", "second__child__status"
    )
    for kind, first_ceased, second_ceased, first_status, second_status in rows:
        current = not (first_ceased or second_ceased) and first_status == second_status == RecordStatus.ACTIVE
        counts[kind]["current" if current else "ended"] += 1
    return counts


def own_current_involvement(*, child: Child, user: User) -> Involvement | None:
    return (
        Involvement.objects.filter(child=child, recorded_by=user, ceased=False).order_by("created_at").first()
    )


@dataclass
class BrokerSide:
    """One side of a match; the page shows its involvement only if the policy lets the LA team see it
    (`item`: what `access.policy.involvement_visible` judges; `child` for `visibility`)."""

    child: Child
    child_name: str
    index_number: str
    shielded: bool
    item: InvolvementView
    local_authority: str
    shown: bool = False  # set by the page from the policy; nothing is shown until it says so
    told: bool = False  # its practitioner was told about the other side (a match made before the shield)

    @property
    def details(self) -> InvolvementDetails:
        return self.item.details

    @property
    def organisation(self) -> str:
        return self.item.organisation.name if self.item.organisation else ""


@dataclass
class BrokerEntry:
    match: Match
    kind_label: str
    sides: list[BrokerSide]


def _broker_side(involvement: Involvement, told: set[int]) -> BrokerSide:
    child = involvement.child
    details = involvement_details(involvement)
    organisation = Organisation.objects.filter(pk=details.organisation_id).first()
    return BrokerSide(
        child=child,
        child_name=child_details(child).full_name,
        index_number=child.index_number,
        shielded=child.shielded,
        item=InvolvementView(involvement=involvement, details=details, organisation=organisation),
        local_authority=child.local_authority.name,
        told=involvement.recorded_by_id in told,
    )


def _broker_sides(match: Match, told: set[int]) -> list[BrokerSide]:
    return [_broker_side(match.first, told), _broker_side(match.second, told)]


def matches_to_broker(*, local_authority_id: int | None) -> list[BrokerEntry]:
    """Current matches touching a shielded child of this LA: nobody was told, the LA team brokers."""
    shielded_here = Q(first__child__shielded=True, first__child__local_authority_id=local_authority_id) | Q(
        second__child__shielded=True, second__child__local_authority_id=local_authority_id
    )
    # Active records only: an archived record is the data manager's, and a record closed for a new
    # identity must never be shown, least of all beside the new one (whose practitioners may match).
    matches = (
        Match.objects.filter(
            shielded_here,
            first__ceased=False,
            second__ceased=False,
            first__child__status=RecordStatus.ACTIVE,
            second__child__status=RecordStatus.ACTIVE,
        )
        .select_related(
            "first__child__data_key",
            "second__child__data_key",
            "first__child__local_authority",
            "second__child__local_authority",
        )
        .prefetch_related("notices")
        .order_by("-created_at")[:200]
    )
    entries = []
    for m in matches:
        told = {notice.recipient_id for notice in m.notices.all()}
        sides = _unless_removed(
            partial(_broker_sides, m, told),
            [m.first.child, m.second.child],
        )
        if sides is not None:
            entries.append(BrokerEntry(match=m, kind_label=MatchKind(m.kind).label, sides=sides))
    return entries
