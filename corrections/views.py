"""Pages for corrections and complaints. Each view: decide (access.policy), call one service, render."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from access.http import (
    Refused,
    child_by_id,
    decider_ended_refused,
    known_to,
    permitted_child,
    probe_counted,
    refused_unless,
    require,
    still_permitted,
)
from access.permissions import Permission
from access.policy import (
    Decision,
    asked_why_first,
    complaint_decide,
    correction_decide,
    correction_raise_decide,
    is_la_team_for,
    visibility,
)
from access.policy import (
    decide as policy_decide,  # `decide` is this module's page deciding a correction
)
from accounts.directory import open_organisations
from accounts.http import signed_in_user
from accounts.models import Organisation, OrganisationKind, User
from audit.services import event_record
from audit.tags import AuditTag
from children.looks import look_audited
from children.merged_away import RecordRemoved, opened_unless_merged_away
from children.models import Child
from children.selectors import child_identity_shown
from children.text import TOO_MANY_PARTS
from children.viewing import purpose_grant_for
from children.views import gone_if_merged_away, record_still_there, removed_record_said, unchanged_since_read
from corrections.fields import (
    OLDEST_AGE_YEARS,
    ORGANISATION_KINDS,
    CorrectableField,
    FieldGone,
    current_value,
    field_for,
    field_label,
    fields_of,
    value_text,
)
from corrections.forms import ComplaintForm, ComplaintProgressForm, CorrectionDecisionForm, CorrectionForm
from corrections.models import Complaint, Correction, CorrectionStatus
from corrections.selectors import complaints_for, corrections_pending, corrections_raised_by, listed_ids
from corrections.services import (
    AlreadyDecided,
    ComplaintChangedSince,
    ComplaintClosed,
    ComplaintGone,
    ComplaintMoved,
    ComplaintProgress,
    CorrectionGone,
    OrganisationRefused,
    RecordMoved,
    RecordNotActive,
    RecordShielded,
    ValueChangedSince,
    ValueRefused,
    complaint_progress,
    complaint_record,
    complaint_version,
    correction_accept,
    correction_current_seen,
    correction_raise,
    correction_reject,
)
from vault.sealing import Sealer

OWN_LIST_LIMIT = 100
LIST_LIMIT = 100  # corrections or complaints on each page of the LA's queue and list (`?page=N`)

# Who asked, told by the kind of organisation only, to a decider who does not see the whole record: the
# data manager sees neither a shielded record's location (a school or GP practice that asked is where
# the child is) nor sensitive services (the LA team's alone), so a sensitive service reads as any
# health service does. Every correction is shown this way to them, so no row stands out.
ASKER_KINDS: dict[str, str] = {
    OrganisationKind.LOCAL_AUTHORITY: "A local authority",
    OrganisationKind.SCHOOL: "An educational setting",
    OrganisationKind.GP_PRACTICE: "A GP practice",
    OrganisationKind.HEALTH: "A health service",
    OrganisationKind.SOCIAL_CARE: "A children's social care service",
    OrganisationKind.POLICE: "A police force",
    OrganisationKind.YOUTH: "A youth service",
    OrganisationKind.SENSITIVE: "A health service",
    OrganisationKind.NATIONAL: "A national body",
}
ASKER_UNKNOWN = "An organisation"
MOVED_SINCE_OPENED = (
    "This has moved to another record since you opened it (its record was merged into another): nothing "
    "was changed. Check it here and decide again"
)


def _asked_by(viewer: User, correction: Correction, *, person: bool) -> str:
    """Who asked for `correction`, as `viewer` may be told: the LA team of the child's LA sees the whole
    record and is told the organisation (and, with `person`, the person's name); anyone else deciding
    (the data manager) only the kind of organisation (ASKER_KINDS says why)."""
    raiser = correction.raised_by
    organisation = raiser.organisation
    if not is_la_team_for(viewer, correction.child):
        return ASKER_KINDS.get(organisation.kind, ASKER_UNKNOWN) if organisation else ASKER_UNKNOWN
    parts = [raiser.get_full_name() or raiser.username] if person else []
    return ", ".join([*parts, organisation.name] if organisation else parts)


def _insist(decision: Decision, *, action: Permission, child_id: UUID | None = None) -> None:
    """Raise the audited refusal for a decision taken by one of the policy's own object rules."""
    if not decision:
        raise Refused(decision, action=action, child_id=child_id)


def _sealer_if_still_there(child: Child) -> Sealer | None:
    """The record's key, opened; None if a merge (or a purge) deleted the record and shredded its key
    after the page loaded it (`KeyRevoked`): the complaint or pending correction moved to the survivor
    (or went with it), and the page reads it again where it is now, as it would a moment later. A record
    still there whose key was shredded (a purge failing after its shred) raises `RecordRemoved`: the page
    says so (`removed_record_said`), a list shows the item without it."""
    return opened_unless_merged_away(child.pk, lambda: Sealer(child.data_key))


def _key_still_opens(child: Child) -> None:
    """Asked before a page audits its look at the record: a record whose keys a failed purge or merge
    shredded is said to be removed (`RecordRemoved`), audited as that alone, never also as a view of what
    was not shown; one merged away since it was loaded is not found. The page opens the key again for
    what it shows (a merge committing after the look is answered there, as a moment later)."""
    record_still_there(child)


def _read_again(
    request: HttpRequest, model: type[Complaint | Correction], pk: UUID, page: str
) -> HttpResponse:
    """Back to the page of the row `_sealer_if_still_there` found moved: told, if a change was on its way
    (refused before anything was written), that nothing was changed; not found if it went with the record."""
    if not model.objects.filter(pk=pk).exists():
        raise Http404("the record has been merged into another or removed")
    if request.method == "POST":
        messages.info(request, MOVED_SINCE_OPENED)
    return redirect(page, pk)


def _read_as_stored(child: Child) -> bool:
    """`child` re-read as stored; False if a merge (or a purge) deleted it since the page's last read,
    which `_read_again` answers: the pending correction moved to the survivor, or went with the record."""
    try:
        child.refresh_from_db()
    except Child.DoesNotExist:
        return False
    return True


def _home_la(actor: User, action: Permission) -> int:
    """The actor's LA (the policy has refused anyone without one already)."""
    if actor.home_la_id is None:
        raise Refused(Decision(False, "no_organisation"), action=action)
    return actor.home_la_id


@login_required
@require_http_methods(["GET"])
@gone_if_merged_away  # the child's name is opened after it is loaded: a merge between is not found
def choose(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """Which detail is wrong: only the details this person can see on the record, each a link."""
    actor = signed_in_user(request)
    # The role first (ids are not probed), then the child as on every page taking its id.
    child = permitted_child(request, actor, child_id, Permission.CorrectionRaise)
    grant = purpose_grant_for(request.session, child=child)
    if grant is None:
        if not known_to(actor, child):  # the id told them nothing yet: a look-up, counted as a made-up one's
            probe_counted(request, actor)
        return redirect("children:purpose", child_id=child.pk)
    full = visibility(actor=actor, child=child).full
    _key_still_opens(child)
    if ended := look_audited(
        request, actor=actor, child=child, grant=grant, full=full, page="corrections:choose"
    ):
        return ended
    context = {
        "child": child,
        "details": child_identity_shown(child),  # the caption names the child: nothing more decrypted
        "fields": fields_of(child, include_location=full),
    }
    return render(request, "corrections/choose.html", context)


def _organisation_choices(child: Child, kind: str) -> list[tuple[str, str]]:
    """The LA's open schools (or GP practices): a closed one is not offered (and is refused at accepting,
    `corrections.fields.organisation_problem`, if it closes meanwhile)."""
    if kind not in ORGANISATION_KINDS:
        return []
    found = (
        open_organisations()
        .filter(kind=ORGANISATION_KINDS[kind], local_authority_id=child.local_authority_id)
        .order_by("name")
    )
    return [(str(o.pk), o.name) for o in found]


def _refused_in_words(named: CorrectableField, problem: str) -> str:
    """Why a proposed value may not be applied (`ValueRefused`), for the decision page."""
    if named.kind == "date":
        return (
            "The proposed date of birth is not one a record may hold (in the future, or more than "
            f"{OLDEST_AGE_YEARS} years ago): reject the correction"
        )
    if problem == TOO_MANY_PARTS:
        return f"The proposed {named.phrase} {TOO_MANY_PARTS}: reject the correction"
    return "The proposed value contains characters a record may not hold: reject the correction"


@login_required
@require_http_methods(["GET", "POST"])
@gone_if_merged_away  # as `choose`; a correction sent as the merge commits is refused (correction_raise)
@decider_ended_refused(Permission.CorrectionRaise)  # suspended or closed since the check: nothing written
def propose(request: HttpRequest, child_id: UUID, field: str) -> HttpResponse:
    """The correct value of one detail and why; the stated purpose that viewing needs is needed here too."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.CorrectionRaise)  # the role first: ids are not probed
    child = child_by_id(request, actor, child_id, action=Permission.CorrectionRaise)
    grant = purpose_grant_for(request.session, child=child)
    known = known_to(actor, child) if grant is None else None
    if grant is None and asked_why_first(actor=actor, child=child, known=known):
        # Someone who may not identify the child is asked why before the record's own rules (a shielded
        # record's location details) or its details (how many carers) answer: alike for every active id,
        # and counted as a made-up id's look-up is.
        probe_counted(request, actor)
        return redirect("children:purpose", child_id=child.pk)
    decision = correction_raise_decide(actor=actor, child=child, field=field)
    refused_unless(request, actor, Permission.CorrectionRaise, child, decision, known=known)
    named = field_for(field)
    if named is None or named not in fields_of(child, include_location=True):
        raise Http404("no such detail on this record")
    if grant is None:
        return redirect("children:purpose", child_id=child.pk)
    form = CorrectionForm(
        request.POST or None, field=named, organisations=_organisation_choices(child, named.kind)
    )
    if request.method == "POST" and form.is_valid():
        try:
            correction_raise(
                child=child,
                field=named,
                value=form.proposed(),
                reason=form.cleaned_data["reason"],
                by=actor,
                recheck=lambda stored, by: _insist(
                    correction_raise_decide(actor=by, child=stored, field=field),
                    action=Permission.CorrectionRaise,
                    child_id=stored.pk,
                ),
            )
        except RecordNotActive:  # archived or closed since the check above: nobody could decide it
            messages.info(request, "This record is no longer open: the correction was not sent")
            return redirect("corrections:mine")
        messages.success(request, "Your correction has been sent to the local authority ContactPoint team")
        return redirect("corrections:mine")
    # Shown (first look, or a form shown again with its errors): a view of the record.
    full = visibility(actor=actor, child=child).full
    _key_still_opens(child)
    current = value_text(named, current_value(child, named))
    if not unchanged_since_read(child):
        # Shielded (a shielded duplicate merged in, its carers numbered after this record's), moved or
        # ended after the checks above read the record, before its detail was read: not shown on that
        # judgement. The page is asked for again, and judged on the record as it is now.
        return redirect("corrections:propose", child_id=child.pk, field=field)
    if ended := look_audited(
        request, actor=actor, child=child, grant=grant, full=full, page="corrections:propose"
    ):
        return ended
    context = {
        "child": child,
        "details": child_identity_shown(child),  # the caption names the child: nothing more decrypted
        "field": named,
        "form": form,
        "current": current,
    }
    return render(request, "corrections/propose.html", context)


def _location_hidden_from(user: User, correction: Correction) -> bool:
    """Does the correction name a location detail `user` can no longer see (the record was shielded)?

    Then its outcome is theirs no more: "accepted" would confirm where the child lives, "rejected" (and
    its reason) where the child does not. Their page says only that it is closed.
    """
    named = field_for(correction.field)
    return named is not None and named.location and not visibility(actor=user, child=correction.child).full


def _why_rejected(correction: Correction) -> str | None:
    """Why the LA team rejected `correction`, opened under its record's key; None if a merge (or a
    purge) deleted the record and shredded its key after the list was read (`_sealer_if_still_there`):
    the decided correction went with the record (a merge keeps it, sealed, for the child's subject
    access report), and the list is read again as it is now, as it would be a moment later.
    `RecordRemoved` if the record's keys were shredded by a purge that has not completed."""
    sealer = _sealer_if_still_there(correction.child)
    if sealer is None:
        return None
    return sealer.unseal(correction, "decision_reason") or ""  # none stored: nothing to show


@login_required
@require_http_methods(["GET"])
def mine(request: HttpRequest) -> HttpResponse:
    """The corrections this person asked for and what became of them (index numbers, never names)."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.CorrectionListOwn)
    rows = []
    listed: list[str] = []
    opened: list[str] = []  # the corrections whose sealed reason this page opens
    for correction in corrections_raised_by(user=actor)[:OWN_LIST_LIMIT]:
        decided = correction.status in (CorrectionStatus.ACCEPTED, CorrectionStatus.REJECTED)
        closed = decided and _location_hidden_from(actor, correction)
        rejected = correction.status == CorrectionStatus.REJECTED and not closed
        label = field_label(correction.field)
        removed = False
        try:
            why_rejected = _why_rejected(correction) if rejected else ""
        except RecordRemoved:  # shredded by a purge that has not completed: listed, its reason not shown
            removed, why_rejected = True, ""
        if why_rejected is None:  # its record merged away since the list was read: read it again
            return redirect("corrections:mine")
        listed.append(str(correction.pk))
        if rejected and not removed:
            opened.append(str(correction.pk))
        rows.append(
            {
                "correction": correction,
                "label": label,
                "closed": closed,
                "why_rejected": why_rejected,
                "removed": removed,
            }
        )
    if rows:  # ids only: which corrections were listed, and whose sealed reason was opened
        event_record(
            tag=AuditTag.CorrectionsOwnViewed,
            actor=actor,
            additional={
                "correction_ids": listed,
                "reasons_opened": opened,
            },
        )
    return render(request, "corrections/mine.html", {"rows": rows, "limit": OWN_LIST_LIMIT})


@login_required
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    """The LA's corrections waiting for a decision: index numbers and field names only."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.CorrectionDecide)
    la = Organisation.objects.get(pk=_home_la(actor, Permission.CorrectionDecide))
    # A page at a time (a page number that is not one shows the first, one out of range the last).
    page = Paginator(corrections_pending(local_authority_id=la.pk), LIST_LIMIT).get_page(
        request.GET.get("page")
    )
    shown: list[Correction] = list(page.object_list)
    rows = [
        {
            "correction": correction,
            "label": field_label(correction.field),
            "decision": correction_decide(actor=actor, correction=correction),
            "asked_by": _asked_by(actor, correction, person=False),
        }
        for correction in shown
    ]
    # Which it named (index numbers; to the LA team who asked), ids only: as every list of the kind.
    event_record(
        tag=AuditTag.CorrectionQueueViewed,
        actor=actor,
        additional={"pending": len(rows), **listed_ids(shown, key="correction_ids")},
    )
    return render(request, "corrections/queue.html", {"la": la, "rows": rows, "page": page})


def _still_decidable(locked: Correction, by: User) -> None:
    """The deciding page's policy question, asked again under the locks of the decision, of the correction
    and its record as stored and the decider as stored (`corrections.services.CorrectionRecheck`):
    `Refused` (audited, nothing written) if no longer theirs, e.g. moved to another LA since."""
    _insist(
        correction_decide(actor=by, correction=locked),
        action=Permission.CorrectionDecide,
        child_id=locked.child_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.CorrectionDecide)  # suspended or closed since the check: nothing written
@removed_record_said  # its record's keys shredded by a purge or merge that then failed: said in words
def decide(request: HttpRequest, correction_id: UUID) -> HttpResponse:
    """Accept (the record is corrected) or reject with a reason. Opening it decrypts it: audited."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.CorrectionDecide)  # the role first: ids are not probed
    correction = get_object_or_404(
        Correction.objects.select_related("child__data_key", "raised_by__organisation"), pk=correction_id
    )
    child = correction.child
    _insist(
        correction_decide(actor=actor, correction=correction),
        action=Permission.CorrectionDecide,
        child_id=child.pk,
    )
    if correction.status != CorrectionStatus.PENDING:
        messages.info(request, "This correction has already been decided")
        return redirect("corrections:queue")
    named = field_for(correction.field)
    if named is None:
        raise Http404("unknown field")
    form = CorrectionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def carry_out() -> bool:
            if form.cleaned_data["decision"] == "accept":
                correction_accept(
                    correction=correction,
                    by=actor,
                    shown=form.cleaned_data["shown"],
                    recheck=_still_decidable,
                )
                messages.success(request, "The record has been corrected")
            else:
                correction_reject(
                    correction=correction,
                    by=actor,
                    reason=form.cleaned_data["reason"],
                    recheck=_still_decidable,
                )
                messages.success(request, "The correction has been rejected")
            return True

        try:
            # Sealing under a key a failed purge or merge shredded: `RecordRemoved`, said in words (nothing
            # written). Under a key whose merge was still committing: read again where it is now.
            if not opened_unless_merged_away(child.pk, carry_out):
                return _read_again(request, Correction, correction.pk, "corrections:decide")
        except AlreadyDecided:
            messages.info(request, "This correction had already been decided by a colleague")
            return redirect("corrections:queue")
        except RecordMoved:
            messages.info(request, "This record has moved to another local authority: nothing was changed")
            return redirect("corrections:queue")
        except CorrectionGone:  # deleted with its record (a removal) as the decision arrived
            messages.info(
                request, "This correction's record has been removed since you opened it: nothing was changed"
            )
            return redirect("corrections:queue")
        except RecordNotActive:
            messages.info(
                request, "This record has been archived or closed since you opened it: nothing was changed"
            )
            return redirect("corrections:queue")
        except RecordShielded:
            messages.info(request, "This record has been shielded since you opened it: nothing was changed")
            return redirect("corrections:queue")
        except FieldGone:
            form.add_error("decision", "This detail is no longer on the record: reject the correction")
        except ValueChangedSince:
            if not _read_as_stored(child):  # shown again as it is now, to decide on what the record says
                return _read_again(request, Correction, correction.pk, "corrections:decide")
            form.add_error(
                "decision",
                f"The {named.phrase} on the record has changed since you opened this correction: nothing "
                "was changed. Check what the record says now and decide again",
            )
        except ValueRefused as refused:
            form.add_error("decision", _refused_in_words(named, str(refused)))
        except OrganisationRefused as refused:
            form.add_error(
                "decision",
                f"The proposed {named.phrase} {refused}: nothing was changed. Reject the correction",
            )
        else:
            return redirect("corrections:queue")
    sealer = _sealer_if_still_there(child)
    if sealer is None:
        return _read_again(request, Correction, correction.pk, "corrections:decide")
    held = current_value(child, named, sealer)
    event_record(
        tag=AuditTag.CorrectionOpened,
        actor=actor,
        child_id=child.pk,
        additional={"correction_id": str(correction.pk), "field": correction.field},
    )
    context = {
        "correction": correction,
        "child": child,
        "field": named,
        "current": value_text(named, held),
        "shown": correction_current_seen(correction, held),
        "proposed": value_text(named, sealer.unseal(correction, "proposed_value")),
        "reason": sealer.unseal(correction, "reason"),
        "raiser_cannot_see": _location_hidden_from(correction.raised_by, correction),
        "asked_by": _asked_by(actor, correction, person=True),
        "form": form,
    }
    return render(request, "corrections/decide.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@gone_if_merged_away  # a summary sealed under a key a failed purge or merge shredded: said in words
@decider_ended_refused(Permission.ComplaintRecord)  # suspended or closed since the check: nothing written
def complaint_new(request: HttpRequest, child_id: UUID) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ComplaintRecord)  # the role first: ids are not probed
    child = child_by_id(request, actor, child_id, action=Permission.ComplaintRecord)
    decision = policy_decide(actor=actor, action=Permission.ComplaintRecord, child=child)
    refused_unless(request, actor, Permission.ComplaintRecord, child, decision)
    _key_still_opens(child)  # removed (its key shredded): said before the form is offered, not after
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = complaint_record(
                child=child,
                by=actor,
                complainant=data["complainant"],
                about=data["about"],
                received_on=data["received_on"],
                summary=data["summary"],
                recheck=lambda stored, by: still_permitted(actor=by, action=Permission.ComplaintRecord)(
                    stored
                ),
            )
        except RecordNotActive:  # merged into another since the check above
            messages.info(
                request,
                "This record has been merged into another since you opened it: the complaint was not "
                "recorded. Record it on the record it was merged into",
            )
            return redirect("corrections:complaints")
        messages.success(request, "The complaint has been recorded")
        return redirect("corrections:complaint", complaint_id=complaint.pk)
    return render(request, "corrections/complaint_new.html", {"child": child, "form": form})


@login_required
@require_http_methods(["GET"])
def complaints(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ComplaintManage)
    la = Organisation.objects.get(pk=_home_la(actor, Permission.ComplaintManage))
    page = Paginator(complaints_for(local_authority_id=la.pk), LIST_LIMIT).get_page(request.GET.get("page"))
    found: list[Complaint] = list(page.object_list)
    event_record(
        tag=AuditTag.ComplaintListViewed,
        actor=actor,
        additional={"complaints": len(found), **listed_ids(found, key="complaint_ids")},
    )
    return render(request, "corrections/complaints.html", {"la": la, "complaints": found, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.ComplaintManage)  # suspended or closed since the check: nothing written
@removed_record_said  # as `decide`
def complaint(request: HttpRequest, complaint_id: UUID) -> HttpResponse:
    """One complaint: what it says (decrypted, so audited) and its progress to an outcome."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ComplaintManage)  # the role first: ids are not probed
    found = get_object_or_404(Complaint.objects.select_related("child__data_key"), pk=complaint_id)
    _insist(
        complaint_decide(actor=actor, complaint=found),
        action=Permission.ComplaintManage,
        child_id=found.child_id,
    )
    sealer = _sealer_if_still_there(found.child)
    if sealer is None:
        return _read_again(request, Complaint, found.pk, "corrections:complaint")
    initial = {
        "version": complaint_version(found),
        "status": found.status,
        "outcome": found.outcome,
        "outcome_detail": sealer.unseal(found, "outcome_detail") or "",
        **_date_initial("acknowledged", found.acknowledged_on),
        **_date_initial("outcome", found.outcome_on),
    }
    form = ComplaintProgressForm(request.POST or None, initial=initial, received_on=found.received_on)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint_progress(
                complaint=found,
                by=actor,
                progress=ComplaintProgress(
                    status=data["status"],
                    acknowledged_on=data["acknowledged_on"],
                    outcome=data.get("outcome") or "",
                    outcome_on=data["outcome_on"],
                    outcome_detail=data.get("outcome_detail", ""),
                ),
                shown=data["version"],
                recheck=_still_manageable,
            )
        except (ComplaintGone, ComplaintMoved, RecordNotActive, RecordMoved) as gone:
            return _complaint_not_saved(request, found, gone)
        except ComplaintClosed:
            messages.info(
                request,
                "This complaint is closed with an outcome: it cannot be moved back, and nothing was changed. "
                "If the child or parent complains again, record a new complaint",
            )
        except ComplaintChangedSince:
            messages.info(
                request,
                "This complaint has been updated since you opened it: nothing was changed. "
                "Its progress now is shown below",
            )
        else:
            messages.success(request, "The complaint has been updated")
        return redirect("corrections:complaint", complaint_id=found.pk)
    event_record(
        tag=AuditTag.ComplaintOpened,
        actor=actor,
        child_id=found.child_id,
        additional={"complaint_id": str(found.pk)},
    )
    context = {
        "complaint": found,
        "child": found.child,
        "summary": sealer.unseal(found, "summary"),
        "form": form,
    }
    return render(request, "corrections/complaint.html", context)


def _still_manageable(locked: Complaint, by: User) -> None:
    """The complaint page's policy question, asked again under the locks of the save, of the complaint and
    its record as stored and the LA team member as stored (`corrections.services.ComplaintRecheck`):
    `Refused` (audited, nothing written) if no longer theirs, e.g. moved to another LA since."""
    _insist(
        complaint_decide(actor=by, complaint=locked),
        action=Permission.ComplaintManage,
        child_id=locked.child_id,
    )


# What a save refused because the complaint's record changed since the page was read says, and where it
# sends the LA team: to the complaint where it is now, or to the list when it is no longer theirs to open.
_NOT_SAVED: dict[type[Exception], tuple[str, bool]] = {
    ComplaintMoved: (
        "This complaint has moved to another record since you opened it (its record was merged into "
        "another, or a merge was undone): nothing was changed. Check its progress here and save again",
        True,
    ),
    ComplaintGone: (
        "This complaint's record has been removed since you opened it (its retention period ended): "
        "nothing was changed",
        False,
    ),
    RecordNotActive: (
        "This complaint's record has been closed since you opened it (the child has a new identity): "
        "nothing was changed",
        False,
    ),
    RecordMoved: (
        "This complaint's record has moved to another local authority since you opened it: nothing was "
        "changed",
        False,
    ),
}


def _complaint_not_saved(request: HttpRequest, found: Complaint, refusal: Exception) -> HttpResponse:
    """The save was refused by `complaint_progress` under the record's lock: say why, in words."""
    said, here = _NOT_SAVED[type(refusal)]
    messages.info(request, said)
    if here:
        return redirect("corrections:complaint", complaint_id=found.pk)
    return redirect("corrections:complaints")


def _date_initial(prefix: str, value: object) -> dict[str, object]:
    if value is None:
        return {}
    return {f"{prefix}_day": value.day, f"{prefix}_month": value.month, f"{prefix}_year": value.year}  # type: ignore[attr-defined]
