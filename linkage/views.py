"""Clerical review pages for LA teams and data managers: the queue, and one review side by side.

Each page asks the policy (`Permission.ReviewDecide`); a review held because it could be a shielded
child is shown to that child's LA team only. Decisions are carried out and audited by `feeds.review`.
"""

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from access.http import decider_ended_refused, require
from access.permissions import Permission
from access.policy import Visibility, decide, visibility
from accounts.directory import la_team_of
from accounts.http import signed_in_user
from accounts.models import Organisation, User
from accounts.services import actor_able_locked
from children.key_locks import children_keys_lock
from children.models import Child
from children.records import SourceIdentifier
from feeds.review import (
    COPY_DESTROYED_WORDS,
    NewChildRefused,
    ReviewClosed,
    ReviewCopyDestroyed,
    ReviewDecision,
    review_compared,
    review_copy_opens,
    review_decide,
    review_link_withheld,
)
from linkage.holding import review_shielded_elsewhere
from linkage.models import ClericalReview, ReviewReason, ReviewStatus
from linkage.selectors import (
    CandidateView,
    review_candidate_elsewhere,
    review_candidates_shown,
    review_children_ids,
)
from linkage.services import review_view_audit
from notices.email import notify_after_commit, notify_by_email
from oversight.http import signed_out_if_suspended

FIELD_LABELS = {
    "family_name": "Family name",
    "given_name": "Given name",
    "dob": "Date of birth",
    "postcode": "Postcode",
    "gender": "Gender",
}
DECISION_LABELS = {
    ReviewDecision.LINK: "Link: this is the same child",
    ReviewDecision.NEW_CHILD: "New child: none of these",
    ReviewDecision.NOT_A_MATCH: "Not a match: write nothing",
}


@login_required
@require_http_methods(["GET"])
def review_list(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ReviewDecide)
    reviews = ClericalReview.objects.filter(local_authority_id=actor.home_la_id, status=ReviewStatus.OPEN)
    shown = [
        r
        for r in reviews.select_related("submitted_by")
        if decide(actor=actor, action=Permission.ReviewDecide, review=r)
    ]
    return render(
        request,
        "linkage/review_list.html",
        {
            "reviews": shown,
            "reasons": dict(ReviewReason.choices),
            "can_merge": bool(decide(actor=actor, action=Permission.ChildMerge)),
        },
    )


def _decision_errors(request: HttpRequest, candidate_ids: set[str]) -> tuple[str, UUID | None, str]:
    decision = request.POST.get("decision", "")
    if decision not in ReviewDecision.ALL:
        return "", None, "Choose a decision."
    if decision != ReviewDecision.LINK:
        return decision, None, ""
    chosen = request.POST.get("child", "")
    if chosen not in candidate_ids:
        return decision, None, "Choose which child this record is."
    return decision, UUID(chosen), ""


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _nhs_number_cell(*, seen: Visibility, candidate: CandidateView, incoming: str | None) -> str:
    """A candidate's NHS number as the reviewer may see it: the value only for staff of the body that
    issued it; otherwise that one is held and whether it is the incoming record's (the evidence the
    decision needs, which tells nobody a number they were not sent)."""
    held = [s for s in candidate.details.source_identifiers if s.scheme == "nhs_number"]
    if not held:
        return "None held"
    cells = []
    for identifier in held:
        text = identifier.value if seen.shows_identifier(identifier) else "Held, issued by another body"
        if incoming:
            same = _digits(identifier.value) == _digits(incoming)
            text += ": the same as the incoming record's" if same else ": not the incoming record's"
        cells.append(text)
    return "; ".join(cells)


def _incoming_nhs_number_cell(*, actor: User, review: ClericalReview, incoming: str | None) -> str:
    """The incoming record's NHS number as the reviewer may see it: as the record page would show it on
    a record of the review's LA made from the row (`access.policy.visibility`), its value only to staff of
    the body that sent it (the feed source's organisation, its issuer). Shown to anyone else, it would be
    a number the record page withholds, and beside "the same as the incoming record's" the candidate's."""
    if not incoming:
        return "not given"
    issuer_id = review.submitted_by.organisation_id
    as_a_record = Child(local_authority_id=review.local_authority_id, shielded=review.shielded_hold)
    if issuer_id is not None and visibility(actor=actor, child=as_a_record).shows_identifier(
        SourceIdentifier("nhs_number", incoming, issuer_id)
    ):
        return incoming
    return "Given, issued by another body"


# A row resembling a record closed for a new identity names the identity given up; where it says that child
# lives may be the new identity's home (a GP still using the birth name there). Beside the birth name that
# is the link a new identity breaks, and "not a match", the one decision offered, needs no address: none
# of it reaches the template.
_LOCATION_WITHHELD: dict[str, Any] = {"address_lines": [], "postcode": None}


# Said on the page of a review naming a child another LA holds (`review_candidate_elsewhere`), which
# offers no "new child" (`feeds.review.review_decide` refuses one: `HELD_ELSEWHERE_WORDS`).
HELD_ELSEWHERE_NOTICE = (
    "A child this record was compared with is now a record of another local authority, which is not shown "
    "to you. A new record cannot be made from it, as it could be a second record of that child. Overnight "
    "this review moves to that local authority's team, if it holds all the children compared. You can "
    "still decide not a match, or link it to a child shown here if it is one of them."
)


# Said on the page of a review naming a child shielded in another LA (`review_shielded_elsewhere`), which
# offers "not a match" only; and, in the error summary, to a link posted all the same (refused, nothing
# written). The review goes to that child's team once the shield has committed, or overnight.
SHIELDED_ELSEWHERE_NOTICE = (
    "A child this record was compared with is now a record of another local authority, which is not shown "
    "to you, and only that local authority's team may judge whether this record is that child. It cannot "
    "be linked to a child shown here or made a new record. This review moves to that team: you can only "
    "decide not a match."
)
# Said instead on a hold of this LA naming a child shielded here and one shielded in another LA: it does not
# move (this LA holds a child it names), no team may link it, and the daily sweep reports it for a person
# to decide which team judges it (`linkage.holds_sweep`).
SHIELDED_IN_TWO_LAS_NOTICE = (
    "A child this record was compared with is now a shielded record of another local authority, which is "
    "not shown to you, and only that local authority's team may judge whether this record is that child. "
    "It cannot be linked to a child shown here or made a new record. As it was also compared with a child "
    "of your local authority, it stays here: it is reported for a person to decide which team judges it. "
    "You can decide not a match."
)
SHIELDED_ELSEWHERE_WORDS = (
    "This record cannot be linked: a child it was compared with is now another local authority's, and only "
    "that local authority's team may judge it. Nothing was changed. Choose not a match, or leave the review "
    "for that team."
)


def _shielded_elsewhere_notice(review: ClericalReview, *, shown: bool) -> str:
    """Why no link is offered on a review naming a child shielded in another LA: it moves to that team, or,
    a hold still naming a child of this LA (`shown`: one is on the page), it stays and is reported."""
    return SHIELDED_IN_TWO_LAS_NOTICE if review.shielded_hold and shown else SHIELDED_ELSEWHERE_NOTICE


class LinkRefused(Exception):
    """A link on a review naming a child shielded in another LA, found so under the decision's locks."""


def _decisions_offered(
    review: ClericalReview, *, held_elsewhere: bool, shielded_elsewhere: bool = False
) -> dict[str, str]:
    """A row resembling a record closed for a new identity may not become a new record (it would be
    the old identity back): only "not a match" is offered. Nor may a row compared with a child whose record
    is not shown on the page (`held_elsewhere`: another LA holds it, `review_candidate_elsewhere`): "new
    child" is not offered. A row compared with a child shielded in another LA (`shielded_elsewhere`) may be
    that child, its team's alone to judge: only "not a match" is offered."""
    if review.reason == ReviewReason.CLOSED_IDENTITY or shielded_elsewhere:
        return {ReviewDecision.NOT_A_MATCH: DECISION_LABELS[ReviewDecision.NOT_A_MATCH]}
    if held_elsewhere:
        return {key: label for key, label in DECISION_LABELS.items() if key != ReviewDecision.NEW_CHILD}
    return DECISION_LABELS


def _hold_words(
    review: ClericalReview, *, decisions: dict[str, str], record_la: Organisation | None, readable: bool
) -> str:
    """What the page says of a shielded hold. "Nothing was created or updated" only while it is open. The
    advice on "new child" only where it is offered (never on a row resembling a record closed for a new
    identity), and worded by the LA the record would be made in (`record_la`, where the row says the child
    lives): the team may change the shield of its own LA's records only, so on another LA's row it is told
    whose team lifts the shield, and that that team is told to ask it first (`_created_shielded_told`)."""
    if not review.shielded_hold:
        return ""
    if review.status != ReviewStatus.OPEN:
        return " Only your LA team can see this review."
    words = " Only your LA team can see this review: nothing was created or updated."
    if not readable or ReviewDecision.NEW_CHILD not in decisions:
        return words
    if record_la is None or record_la.pk == review.local_authority_id:
        return words + (
            " A new child made from it is created shielded: lift the shield once you are sure it is not the "
            "shielded child."
        )
    return words + (
        f" A new child made from it is a record of {record_la.name}, where the incoming record says the child "
        "lives, created shielded: only that local authority's team can lift the shield, and it is told the "
        "record was made on your decision and to ask your team before lifting it."
    )


CREATED_SHIELDED_SUBJECT = "ContactPoint: a record of your local authority was created shielded"
CREATED_SHIELDED_MESSAGE = (
    "A record of your local authority has been created shielded on a clerical review, as it resembled a "
    "shielded child (perhaps of another local authority). Before you lift the shield, read in the record's "
    "audit why, and whom to ask:\n{url}\n"
)


def _created_shielded_told(*, child: Child, review: ClericalReview, by: User) -> str:
    """A new child made shielded by a decision its own LA team did not make on a hold of its own (another
    LA's team decided the hold, or the resemblance was found as it was decided): its team, who alone may
    lift the shield, is emailed after the commit to the record's audit, where the reason says whom to ask
    (`feeds.review.created_shield_reason`). Returns what the decider is told of where the record went."""
    decided = ClericalReview.objects.get(pk=review.pk)
    elsewhere = child.local_authority_id != by.home_la_id
    if child.shielded and not (decided.shielded_hold and not elsewhere):
        notify_after_commit(
            lambda: _created_shielded_email(child_id=child.pk),
            what=f"record created shielded, for the LA team of {child.local_authority_id}",
        )
    if not elsewhere:
        return ""
    said = (
        f" The new record is {child.local_authority.name}'s, where the incoming record says the child lives."
    )
    if child.shielded and decided.shielded_hold:  # never said to a data manager: holds are the team's alone
        said += (
            " It was created shielded: its team is told, in the record's audit and by email, to ask yours "
        )
        said += "before lifting the shield."
    return said


def _created_shielded_email(*, child_id: UUID) -> None:
    """No personal data: that such a record exists, and a link to its audit behind sign-in. To whom the
    policy lets change the record's shield now (the shielding page's own rule), never a list of its own."""
    child = Child.objects.filter(pk=child_id).first()
    if child is None:  # merged away or purged since the commit
        return
    recipients = [
        user.email
        for user in la_team_of(child.local_authority_id)
        if decide(actor=user, action=Permission.ShieldSet, child=child)
    ]
    url = settings.SERVICE_BASE_URL.rstrip("/") + reverse("audit:child_access", args=[child.pk])
    notify_by_email(
        subject=CREATED_SHIELDED_SUBJECT,
        message=CREATED_SHIELDED_MESSAGE.format(url=url),
        recipients=recipients,
        # Never the record's id: the log, read outside the audited UI, would say which record is shielded.
        what=f"record created shielded, for the LA team of {child.local_authority_id}",
    )


def _decision_recheck(actor: User, decision: str) -> Callable[[ClericalReview], None]:
    """The page's policy check again, on the decider as stored and the review as locked and on each
    candidate shown as it is now. The decider's row is locked first (`accounts.services.actor_able_locked`):
    one closed or suspended since the page's check decides nothing (`ActorCannotAct`, answered by the
    page); one moved to another LA or given another role since is refused (`Refused`, audited).

    The shield holds only reviews nobody is deciding (`linkage.holding` skips one a decision has locked),
    so a candidate shielded after this decision locked its review is found here, not on the review. For a
    link or "not a match" the candidates' key locks come first (the shield's first lock, the same set
    `feeds.review.review_decide` takes next): a shield that committed before is seen, one that comes
    after waits for this decision. A new child also locks the row's own keys there, in one statement
    with these, so they are not taken apart here (its candidates are read as they are; the decision
    judges the index again and creates a shielded record where a shielded child is found).

    "New child" while another LA holds a child the review names is refused by the decision itself
    (`feeds.review.review_decide`, after the key locks: `HELD_ELSEWHERE_WORDS`). A link while a child the
    review names is shielded in another LA is refused here, after the key locks (`LinkRefused`): the row
    may be that child, and only its team may judge it."""

    def recheck(stored: ClericalReview) -> None:
        actor_able_locked(actor)  # ended or cut off since the page's check: `ActorCannotAct`
        # Then asked of the account as stored (its organisation held by now), not the request's copy: one
        # put in another LA, or made a practitioner, since the page's check is refused (as corrections).
        decider = User.objects.select_related("organisation").get(pk=actor.pk)
        require(actor=decider, action=Permission.ReviewDecide, review=stored)
        if decision != ReviewDecision.NEW_CHILD:
            children_keys_lock(sorted(review_children_ids(stored)))
        for candidate in review_candidates_shown(stored):
            require(actor=decider, action=Permission.ReviewDecide, review=stored, child=candidate)
        if decision == ReviewDecision.LINK and review_shielded_elsewhere(stored):
            # Read under the children's key locks: a shield committed before is seen, one after waits.
            raise LinkRefused

    return recheck


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.ReviewDecide)
def review_detail(request: HttpRequest, review_id: UUID) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ReviewDecide)  # the role first: review ids are not probed
    review = get_object_or_404(
        ClericalReview.objects.select_related("data_key", "submitted_by"), pk=review_id
    )
    require(actor=actor, action=Permission.ReviewDecide, review=review)
    # A decided or withdrawn review's sealed copy is destroyed (linkage.retention): nothing to compare. So
    # is an open one's whose key a purge revoked before failing (withdrawn by the next night's purge).
    copy_destroyed = review.status == ReviewStatus.OPEN and not review_copy_opens(review)
    readable = review.copy_shredded_at is None and not copy_destroyed
    incoming, candidates = review_compared(review) if readable else ({}, [])
    for candidate in candidates:  # a candidate shielded since the review opened: the LA team's alone
        require(actor=actor, action=Permission.ReviewDecide, review=review, child=candidate.child)
    error = ""
    # Read before deciding: the decision shreds the copy this is worked out from.
    link_withheld = review_link_withheld(review, incoming)
    # A child it names shielded in another LA: the row may be that child, its team's alone (the review
    # goes there once the shield commits, or overnight); meanwhile no link from here.
    shielded_elsewhere = review.status == ReviewStatus.OPEN and readable and review_shielded_elsewhere(review)
    if request.method == "POST" and review.status == ReviewStatus.OPEN:
        decision, child_id, error = _decision_errors(request, {str(c.child.pk) for c in candidates})
        if not error and decision == ReviewDecision.LINK and shielded_elsewhere:
            error = SHIELDED_ELSEWHERE_WORDS
        if not error:
            try:
                created = review_decide(
                    review=review,
                    decision=decision,
                    by=actor,
                    child_id=child_id,
                    recheck=_decision_recheck(actor, decision),
                    seen=set(request.POST.getlist("shown")),
                )
            except ReviewCopyDestroyed:
                messages.info(request, COPY_DESTROYED_WORDS)
            except ReviewClosed:
                messages.info(request, "Someone else decided this review first.")
            except NewChildRefused as refused:
                error = str(refused)
            except LinkRefused:
                error = SHIELDED_ELSEWHERE_WORDS
            except ValueError:  # the child moved or went between this page and the decision
                messages.info(
                    request, "That child is no longer a record of your local authority: nothing was changed."
                )
            else:
                wrote_nothing = decision == ReviewDecision.LINK and link_withheld
                went = (
                    _created_shielded_told(child=created, review=review, by=actor)
                    if created and decision == ReviewDecision.NEW_CHILD
                    else ""
                )
                messages.success(
                    request,
                    f"Decision recorded. {link_withheld}" if wrote_nothing else f"Decision recorded.{went}",
                )
            if not error:
                return redirect("linkage:reviews")
    incoming_record = incoming.get("record") or {}
    # Every look, a form shown again included (an empty POST shows the page as a GET does), and with no
    # candidate shown too: the incoming row alone is a child's name, date of birth and address.
    if candidates or incoming_record:
        review_view_audit(review=review, child_ids=[c.child.pk for c in candidates], by=actor)
        # The viewing rules counted each look; past the hard threshold nothing is shown (signed out).
        if ended := signed_out_if_suspended(request, actor=actor, action=Permission.ReviewDecide):
            return ended
    rows = [
        {
            # Each identifier is handed on only as the cell below shows it: the candidate goes to the
            # template without them, so no value hidden from the reviewer reaches it.
            "candidate": replace(c, details=replace(c.details, source_identifiers=[])),
            "nhs_number": _nhs_number_cell(
                seen=visibility(actor=actor, child=c.child),
                candidate=c,
                incoming=incoming_record.get("nhs_number"),
            ),
            "fields": [
                (FIELD_LABELS[name], c.levels.get(name, "not compared"), c.weights.get(name))
                for name in FIELD_LABELS
            ],
        }
        for c in candidates
    ]
    location_withheld = review.reason == ReviewReason.CLOSED_IDENTITY
    unseen = review.status == ReviewStatus.OPEN and bool(incoming) and review_candidate_elsewhere(review)
    decisions = _decisions_offered(review, held_elsewhere=unseen, shielded_elsewhere=shielded_elsewhere)
    record_la = Organisation.objects.filter(pk=incoming["la_id"]).first() if incoming.get("la_id") else None
    context = {
        "review": review,
        # The number itself never reaches the template unless the reviewer may see it.
        "incoming": incoming_record
        and {
            **incoming_record,
            "nhs_number": _incoming_nhs_number_cell(
                actor=actor, review=review, incoming=incoming_record.get("nhs_number")
            ),
            **(_LOCATION_WITHHELD if location_withheld else {}),
        },
        "location_withheld": location_withheld,
        "rows": rows,
        "reason": ReviewReason(review.reason).label,
        "decisions": decisions,
        "hold_words": _hold_words(review, decisions=decisions, record_la=record_la, readable=readable),
        "held_elsewhere": _shielded_elsewhere_notice(review, shown=bool(candidates))
        if shielded_elsewhere
        else (HELD_ELSEWHERE_NOTICE if unseen else ""),
        "error": error,
        "open": review.status == ReviewStatus.OPEN and readable,
        "copy_destroyed": COPY_DESTROYED_WORDS if copy_destroyed else "",
        "withdrawn": review.status == ReviewStatus.WITHDRAWN,
        "link_withheld": link_withheld,
    }
    return render(request, "linkage/review_detail.html", context, status=400 if error else 200)
