"""Coordination pages: the practitioner's match inbox, lead-professional proposals, informing the family,
and the LA team's match counts. Each view: decide, call one service, render or redirect."""

from collections.abc import Callable
from functools import partial
from typing import NoReturn
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from access.http import Refused, child_by_id, decider_ended_refused, refused_unless, require, still_permitted
from access.permissions import Permission
from access.policy import Decision, decide, involvement_shown
from accounts.http import signed_in_user
from accounts.models import User
from audit.services import event_record
from audit.tags import AuditTag
from children.merged_away import opened_unless_merged_away
from children.models import Child, Involvement
from children.selectors import child_details
from children.views import gone_if_merged_away, record_still_there, removed_record_said
from coordination.informing import duty_to_inform
from coordination.models import LeadProposal, Match, MatchKind
from coordination.recording import match_audience
from coordination.selectors import (
    Inbox,
    inbox_for,
    match_counts,
    matches_to_broker,
    own_current_involvement,
)
from coordination.sensitivity import involvement_sensitive
from coordination.services import (
    LEAD_OFFER_ALREADY_LEAD,
    LEAD_OFFER_NOBODY_TO_ACCEPT,
    LeadOfferAlreadyLead,
    LeadOfferNobodyToAccept,
    involvement_confirm,
    lead_accept,
    lead_propose,
    withheld_notices_tell,
)
from coordination.statistics import suppressed


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.InboxView)
    withheld_notices_tell(recipient=actor, gate=match_audience)
    found = inbox_for(recipient=actor, gate=match_audience)
    _inbox_read_record(actor, found)
    return render(request, "coordination/inbox.html", {"inbox": found})


def _inbox_read_record(actor: User, found: Inbox) -> None:
    """The inbox decrypts children's names and who else works with them: the read is audited, and each
    child named has the look in its own access log (as on the brokering page), with the matches shown."""
    entries = [*found.current, *found.ended]
    event_record(
        tag=AuditTag.InboxViewed,
        actor=actor,
        additional={"notice_ids": [e.notice.pk for e in entries]},
    )
    shown: dict[UUID, list[int]] = {}
    for entry in entries:
        shown.setdefault(entry.child_id, []).append(entry.notice.match_id)
    for item in found.to_confirm:
        shown.setdefault(item.child_id, [])
    for child_id, match_ids in shown.items():
        event_record(
            tag=AuditTag.InboxChildShown, actor=actor, child_id=child_id, additional={"match_ids": match_ids}
        )


def _match(match_id: int) -> Match:
    return get_object_or_404(
        Match.objects.select_related("first__child__data_key", "second__child__data_key"), pk=match_id
    )


def _side(match: Match, actor_id: int, *, not_this: Involvement | None = None) -> Involvement | None:
    for side in (match.first, match.second):
        if side.recorded_by_id == actor_id and side != not_this:
            return side
    return None


def _outsider_refused() -> NoReturn:
    """Someone on neither side of a match (or its proposer, accepting their own offer): refused, audited,
    and told nothing about the match's child. Match and offer ids are small sequential numbers; judged on
    the child, the refusal named the LA holding it and, for a shielded child, that it is shielded, to
    anyone counting through them (review, session 27)."""
    raise Refused(Decision(False, "not_own_involvement"), action=Permission.InvolvementCoordinate)


@login_required
@require_POST
@decider_ended_refused(Permission.InvolvementCoordinate)  # cut off since the check: nothing written
@removed_record_said  # sent from an inbox open before the record's keys were shredded: said in words
def propose_lead(request: HttpRequest, match_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.InboxView)  # before the lookup: ids are not probed
    match = _match(match_id)
    own = _side(match, actor.pk)
    if own is None:
        _outsider_refused()
    require(actor=actor, action=Permission.InvolvementCoordinate, child=own.child, involvement=own)
    if not match.about_one_child:  # a lead professional is per child: family matches offer none
        raise Http404
    # The record's key first, as `accept_lead`: one shredded since is said to be removed (410), where the
    # sensitivity check below, unable to read it, would take it for a hidden service (404).
    record_still_there(own.child)
    other = match.second if own == match.first else match.first
    if involvement_sensitive(other) and not match_audience(actor, own.child).sees_sensitive:
        # A service hidden from the proposer: the inbox shows only that the LA team brokers contact with
        # it, and offers nothing. Served, an offer was made to a service they may not know of, and once it
        # had ended the refusal ("no longer works with this child") told them so, which the record page
        # never does. Not found, as `accept_lead` answers an offer from such a service, ended or not.
        raise Http404
    try:
        offer = partial(
            lead_propose,
            match=match,
            involvement=own,
            by=actor,
            recheck=_proposer_as_stored(actor, own, other),
        )
        if opened_unless_merged_away(own.child_id, offer) is None:  # merged away as the offer opened it
            raise Http404
    except (Involvement.DoesNotExist, Match.DoesNotExist):  # withdrawn or merged away meanwhile
        raise Http404 from None
    except LeadOfferNobodyToAccept:
        messages.error(request, LEAD_OFFER_NOBODY_TO_ACCEPT)
        return redirect("coordination:inbox")
    except LeadOfferAlreadyLead:  # lead already: no offer stands, so none is reported
        messages.info(request, LEAD_OFFER_ALREADY_LEAD)
        return redirect("coordination:inbox")
    messages.success(request, "You have offered to be lead professional. The other practitioner can accept.")
    return redirect("coordination:inbox")


@login_required
@require_POST
@decider_ended_refused(Permission.InvolvementCoordinate)  # cut off since the check: nothing written
@removed_record_said  # as `propose_lead`
def accept_lead(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Only the other side of the match may accept; the proposer cannot accept their own offer."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.InboxView)
    proposal = get_object_or_404(
        LeadProposal.objects.select_related("involvement__child__data_key"), pk=proposal_id
    )
    match = _match(proposal.match_id)
    own = _side(match, actor.pk, not_this=proposal.involvement)
    if own is None:
        _outsider_refused()
    # Accepting sets the proposer's child's lead professional: the acceptor's own involvement must be
    # with that same child.
    require(
        actor=actor,
        action=Permission.InvolvementCoordinate,
        child=proposal.involvement.child,
        involvement=own,
    )
    # The record's key first: one shredded since the inbox was read is said to be removed (410), where
    # the sensitivity check below, unable to read it, would take it for a hidden service (404).
    record_still_there(own.child)
    if involvement_sensitive(proposal.involvement) and not match_audience(actor, own.child).sees_sensitive:
        # A service hidden from the acceptor: its offer is never shown to them (the inbox), and accepting
        # it would make lead a service they may not know of. Not found, as an offer they cannot see.
        raise Http404
    acceptance = opened_unless_merged_away(
        proposal.involvement.child_id,
        partial(
            lead_accept, proposal=proposal, by=actor, recheck=_own_as_stored(actor, own), gate=match_audience
        ),
    )
    if acceptance is None:  # merged away as the acceptance opened it
        raise Http404
    if acceptance:
        messages.success(request, "The lead professional has been updated")
    else:
        messages.error(request, acceptance.refusal)
    return redirect("coordination:inbox")


def _own_as_stored(actor: User, own: Involvement) -> Callable[[Child], None]:
    """The policy again under the child's row lock, on the actor's own involvement as stored then: the
    request read it before the lock, and its owner (another tab) or the LA team may have ended it since.
    Ending an involvement locks the child's row first, so what is read here is what was committed."""

    def recheck(stored: Child) -> None:
        current = Involvement.objects.filter(pk=own.pk).first()
        still_permitted(actor=actor, action=Permission.InvolvementCoordinate, involvement=current)(stored)

    return recheck


def _proposer_as_stored(actor: User, own: Involvement, other: Involvement) -> Callable[[Child], None]:
    """`_own_as_stored`, then the page's hidden-service check again on the other side as stored, under the
    child's row lock: judged only before it, a service classed sensitive in between (the administrator's
    edit of its organisation) was offered the lead by a practitioner it is hidden from. Not found, as the
    page answers it."""
    own_as_stored = _own_as_stored(actor, own)

    def recheck(stored: Child) -> None:
        own_as_stored(stored)
        current = (
            Involvement.objects.select_related("recorded_by__organisation", "child__data_key")
            .filter(pk=other.pk)
            .first()
        )
        if current is None:  # gone with its record (purged), and its match with it: the offer finds that
            return
        if involvement_sensitive(current) and not match_audience(actor, stored).sees_sensitive:
            raise Http404

    return recheck


@login_required
@require_POST
@decider_ended_refused(Permission.InvolvementCoordinate)  # cut off since the check: nothing written
def confirm_involvement(request: HttpRequest, involvement_id: UUID) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.InboxView)
    involvement = get_object_or_404(Involvement.objects.select_related("child__data_key"), pk=involvement_id)
    require(
        actor=actor, action=Permission.InvolvementCoordinate, child=involvement.child, involvement=involvement
    )
    try:
        involvement_confirm(involvement=involvement, by=actor, recheck=_own_as_stored(actor, involvement))
    except Involvement.DoesNotExist:
        raise Http404 from None
    messages.success(request, "You have confirmed you are still working with this child")
    return redirect("coordination:inbox")


@login_required
@require_GET
@gone_if_merged_away  # the date of birth is opened after the record is loaded
def inform_family(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """After recording: whom to tell, for this child's age. Names nobody; only the owner of a current
    involvement with the child may open it."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.InvolvementCoordinate)  # the role first: ids are not probed
    child = child_by_id(request, actor, child_id, action=Permission.InvolvementCoordinate)
    own = own_current_involvement(child=child, user=actor)
    decision = decide(actor=actor, action=Permission.InvolvementCoordinate, child=child, involvement=own)
    refused_unless(request, actor, Permission.InvolvementCoordinate, child, decision)
    if own is None:  # the policy has refused already (not_own_involvement); this only narrows the type
        raise Http404
    duty = duty_to_inform(
        date_of_birth=child_details(child).date_of_birth,
        today=timezone.localdate(),
        sensitive_service=involvement_sensitive(own),
    )
    return render(request, "coordination/inform_family.html", {"child": child, "duty": duty})


@login_required
@require_GET
def leaflet(request: HttpRequest) -> HttpResponse:
    """A printable leaflet for families: what ContactPoint holds and their rights. No personal data."""
    require(actor=signed_in_user(request), action=Permission.InvolvementRecord)
    return render(request, "coordination/leaflet.html")


@login_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.MatchStatisticsView)
    counts = match_counts(local_authority_id=actor.home_la_id)
    event_record(tag=AuditTag.MatchStatisticsViewed, actor=actor)
    rows = [
        {"label": MatchKind(kind).label, "current": suppressed(c["current"]), "ended": suppressed(c["ended"])}
        for kind, c in counts.items()
    ]
    return render(request, "coordination/statistics.html", {"rows": rows})


@login_required
@require_GET
def brokering(request: HttpRequest) -> HttpResponse:
    """Matches about the LA's shielded children: both practitioners, so the team can broker contact."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.MatchBroker)
    entries = matches_to_broker(local_authority_id=actor.home_la_id)
    event_record(
        tag=AuditTag.BrokeringViewed,
        actor=actor,
        additional={"match_ids": [e.match.pk for e in entries]},
    )
    # A family match can cross LAs: the other LA's side is shown only as far as the policy lets this
    # team see it (a shielded child's involvements, a sensitive service: that LA's team brokers them).
    for entry in entries:
        for side in entry.sides:
            side.shown = involvement_shown(actor=actor, child=side.child, item=side.item)
    # Each child named (another LA's included) has the look in its own access log and reports.
    for child_id in dict.fromkeys(side.child.pk for entry in entries for side in entry.sides):
        event_record(tag=AuditTag.BrokeringChildShown, actor=actor, child_id=child_id)
    return render(request, "coordination/brokering.html", {"entries": entries})
