"""Pages of the practitioner journey. Each view: decide, call one service, render or redirect."""

import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial, wraps
from typing import Any, TypeVar
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DEFAULT_DB_ALIAS
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

# The look-up limit's words, still named here for the pages that take them from this module (the archive
# finder); they and the limit are `access.http`'s, as is everything a page taking a child's id shares.
from access.http import (
    Refused,
    child_by_id,
    decider_ended_refused,
    no_such_record,
    permitted_child,
    probe_counted,
    refused_unless,
    require,
    search_over_limit,
    still_permitted,
)
from access.permissions import Permission
from access.policy import (
    Decision,
    Visibility,
    asked_why_first,
    child_known,
    decide,
    decide_many,
    override_asked_decide,
    override_visibility,
    prerequisites,
    visibility,
    visible_involvements,
)
from accounts.http import signed_in_user
from accounts.models import User
from accounts.stepup import step_up
from audit.services import event_record
from audit.tags import AuditTag
from children.forms import (
    CafForm,
    CeaseForm,
    InvolvementForm,
    LeadProfessionalForm,
    OverrideForm,
    PurposeForm,
    SearchForm,
)
from children.looks import look_audited
from children.merged_away import RecordRemoved, opened_unless_merged_away
from children.models import Child, Involvement
from children.override import shield_override
from children.purposes import PURPOSE_LABELS
from children.records import ChildDetails, InvolvementDetails, ReturnIntention
from children.search import child_search
from children.search_results import search_outcome_for, search_outcome_store, shown_outcome, stored_children
from children.selectors import (
    ChildIdentityShown,
    ChildRecordView,
    InvolvementView,
    child_details,
    child_identity_shown,
    child_record,
    involvement_details,
)
from children.services import (
    DuplicateInvolvement,
    InvolvementAlreadyEnded,
    LeadCannotAct,
    RecordingBasisMissing,
    caf_flag_set,
    involvement_cease,
    involvement_record,
    lead_professional_set,
    recording_sensitive,
)
from children.viewing import PurposeGrant, purpose_grant_for, purpose_grant_store, record_view_audit
from oversight.http import signed_out_if_suspended
from oversight.models import Alert
from vault.keys import data_key_open


def _permitted_child(request: HttpRequest, child_id: UUID, action: Permission) -> Child:
    """The child, if the policy allows `action` on it (else `Refused`: the audited refusal page).

    The role first, before the lookup: someone whose role may not do `action` gets the same refusal for
    any id, so an id tells them neither that the child exists nor which LA holds it. What a refusal about
    the child itself says depends on whether they may identify it (`access.policy.child_refusal_told`);
    an id is read and judged as on every page taking one (`access.http.permitted_child`).
    """
    return permitted_child(request, signed_in_user(request), child_id, action)


class PurposeRequired(Exception):
    """No purpose stated for this child in the last few minutes: the person is sent to state one."""

    def __init__(self, child_id: UUID) -> None:
        super().__init__("purpose required")
        self.child_id = child_id


def record_removed_page(request: HttpRequest, removed: RecordRemoved) -> HttpResponse:
    """The page saying "This record has been removed" (410), for a page that found the record's keys shredded
    while its rows wait for the next night's purge (`RecordRemoved`). The look is audited as the page's own
    would have been: the page's name and the ids in its address (nothing of the child: it cannot be read)."""
    match = request.resolver_match
    ids = {
        k: str(v) for k, v in (match.kwargs if match else {}).items() if k.endswith("_id") and k != "child_id"
    }
    event_record(
        tag=AuditTag.RecordRemovedShown,
        actor=signed_in_user(request),
        child_id=removed.child_id,
        additional={"page": match.view_name if match else "", **ids},
    )
    return render(request, "children/record_removed.html", status=410)


def removed_record_said(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page that opens a record's key answers a record shredded but not yet deleted in words
    (`record_removed_page`), never with a server error. Put it below the page's policy checks' decorators:
    the key is opened only once the page has judged the person may see the record."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except RecordRemoved as removed:
            return record_removed_page(request, removed)

    return wrapped


def record_still_there(child: Child) -> None:
    """Before a page reads (or audits a look at) a record it loaded: its key opened, or `Http404` if the
    record was merged away (or purged) since, and `RecordRemoved` if it is still there with its own key
    shredded by a merge or purge that then failed (`removed_record_said` answers that in words)."""
    if opened_unless_merged_away(child.pk, partial(data_key_open, child.data_key)) is None:
        raise Http404("the record has been merged into another")


def gone_if_merged_away(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of one record that loaded the child, then found its key shredded by a merge committing in
    between (`KeyRevoked`), answers as it would a moment later: not found (the record is no longer there),
    never a server error. A record still there whose key was shredded (a purge or merge that failed after
    its shred) is said to be removed (`removed_record_said`). A look-up past the search limit
    (`access.http.LookupsLimited`) is said in words (429) by `access.http.RefusalMiddleware`, the same page
    whatever the id."""

    @wraps(view)
    @removed_record_said
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = opened_unless_merged_away(kwargs["child_id"], lambda: view(request, *args, **kwargs))
        if response is None:
            raise Http404("the record has been merged into another")
        return response

    return wrapped


def purpose_first(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Views of one record send a person without a current purpose to the purpose page (and answer a
    record merged away while they read it as not found: `gone_if_merged_away`)."""

    @wraps(view)
    @gone_if_merged_away
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PurposeRequired as needed:
            return redirect("children:purpose", child_id=needed.child_id)

    return wrapped


def _purpose_stated(request: HttpRequest, child: Child) -> PurposeGrant:
    grant = purpose_grant_for(request.session, child=child)
    if grant is None:
        raise PurposeRequired(child.pk)
    return grant


def _granted_child(request: HttpRequest, child_id: UUID, action: Permission) -> Child:
    """Changes need the same stated purpose as viewing, plus the action's own permission: checked first
    for whoever may identify the child (told at once why not), after the purpose for anyone else
    (`access.policy.asked_why_first`: the same answer for every active record's id)."""
    actor = signed_in_user(request)
    require(actor=actor, action=action)  # the role first: ids are not probed
    child = child_by_id(request, actor, child_id, action=action)
    known = child_known(actor=actor, child=child)
    if asked_why_first(actor=actor, child=child, known=known):
        if purpose_grant_for(request.session, child=child) is None:
            probe_counted(request, actor)  # the id told them nothing yet: counted as a made-up one's is
        _purpose_stated(request, child)
    decision = decide(actor=actor, action=action, child=child)
    refused_unless(request, actor, action, child, decision, known=known)
    _purpose_stated(request, child)
    return child


# Reads of a record that changed under them (merged into, shielded, transferred, closed) before a page
# gives up (404, nothing shown): each change is one committed transaction, so a second read holds.
RECORD_READS = 3
T = TypeVar("T")


def unchanged_since_read(child: Child) -> bool:
    """Does the stored record still hold the state `child` was read with (and judged on)?

    A page reads the child's row, decides what this person may see from it (full or restricted), then
    reads its carers and involvements in later statements. A merge or a shield committing in between
    moves a shielded duplicate's carers (their address, the refuge) onto a record judged "full". Read
    after those statements, on the primary (the carers may have come from a replica that had already
    applied the change; the primary has it by then): changed, the parts may not be shown on that judgement.
    """
    stored = (
        Child.objects.using(DEFAULT_DB_ALIAS)
        .filter(pk=child.pk)
        .values_list("shielded", "status", "local_authority_id")
        .first()
    )
    return stored == (child.shielded, child.status, child.local_authority_id)


def _read_as_one(read: Callable[[], tuple[Child, T]]) -> tuple[Child, T]:
    """`read()` (the child, judged, then what is shown of it) again until the record did not change
    under it; a record still changing after `RECORD_READS` reads is not shown (404: it is in flux,
    usually merged away)."""
    for _ in range(RECORD_READS):
        child, made = read()
        if unchanged_since_read(child):
            return child, made
    raise Http404("the record changed while it was read")


def _look_audited(request: HttpRequest, child: Child, *, page: str) -> HttpResponse | None:
    """A page showing the record's details under its stated purpose is audited as a view of the record
    and counted by the viewing rules (`record_view_audit`); the response if they suspended the viewer."""
    actor = signed_in_user(request)
    full = visibility(actor=actor, child=child).full
    return look_audited(
        request, actor=actor, child=child, grant=_purpose_stated(request, child), full=full, page=page
    )


@login_required
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Search runs on POST only, so criteria never appear in URLs, histories or access logs.

    A search that runs is audited once, its outcome kept in the session (no criteria) and the person
    redirected (303) to its results page, so Back and "Back to search" show the results again without
    a second search or a "Confirm form resubmission" page. Form errors are shown on the POST itself.
    """
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ChildSearch)
    form = SearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if search_over_limit(actor, now=time.time()):  # refusals filed under this page's minute
            return render(request, "children/search_throttled.html", status=429)
        outcome = child_search(criteria=form.criteria(), fetched_by=actor)
        if ended := signed_out_if_suspended(request, actor=actor, action=Permission.ChildSearch):
            return ended
        search_id = search_outcome_store(request.session, outcome=outcome, by=actor)
        response = redirect("children:search_results", search_id=search_id)
        response.status_code = 303  # See Other: the browser fetches the results with GET
        return response
    context = {"form": form, "outcome": None, "cap": settings.SEARCH_RESULT_CAP}
    return render(request, "children/search.html", context)


@login_required
@require_http_methods(["GET"])
def search_results(request: HttpRequest, search_id: str) -> HttpResponse:
    """A search's results shown again from the session: no search is run and nothing is audited here.

    Each child is shown only if the policy still lets this person be told who it is (an archived
    child, say, drops out), and only as the search found it (`shown_outcome` leaves out a child shielded
    or renamed since); the page asks to search again if any child is left out. An unknown, expired or
    someone else's id shows the empty search form.
    """
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ChildSearch)
    stored = search_outcome_for(request.session, search_id=search_id, by=actor)
    context: dict[str, object] = {"form": SearchForm(), "cap": settings.SEARCH_RESULT_CAP}
    if stored is None:
        return render(request, "children/search.html", {**context, "outcome": None, "expired": True})
    children = stored_children(stored)
    decisions = decide_many(actor=actor, asks=[(Permission.ChildIdentify, child) for child in children])
    permitted = [child for child, decision in zip(children, decisions, strict=True) if decision.allowed]
    outcome = shown_outcome(stored, children=permitted)
    return render(request, "children/search.html", {**context, "outcome": outcome})


@login_required
@require_http_methods(["GET", "POST"])
@gone_if_merged_away
def purpose(request: HttpRequest, child_id: UUID) -> HttpResponse:
    child = _permitted_child(request, child_id, Permission.ChildView)
    identified = decide(actor=signed_in_user(request), action=Permission.ChildIdentify, child=child).allowed
    if not identified:
        # An id no search of theirs returned: its purpose page is a look-up, counted as a made-up id's is.
        probe_counted(request, signed_in_user(request))
    form = PurposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        purpose_grant_store(
            request.session,
            child=child,
            purpose=form.cleaned_data["purpose"],
            detail=form.cleaned_data["detail"],
            alert_id=_alert_being_acted_on(request, child),
        )
        return redirect("children:record", child_id=child.pk)
    # Audited because it is a look at a child by id; named only if a search would have named it. The name
    # is opened first: a record whose key was shredded is said to be removed, audited as that alone.
    details = child_identity_shown(child) if identified else None  # the name only, never the record
    event_record(
        tag=AuditTag.PurposeAsked,
        actor=request.user,
        child_id=child.pk,
        additional={"identified": identified},
    )
    context = {"form": form, "child": child, "details": details, "identified": identified}
    return render(request, "children/purpose.html", context)


def _alert_being_acted_on(request: HttpRequest, child: Child) -> int | None:
    """The alert (from the LA team's queue link) this record is opened for, if it is about this child,
    still waiting (an acknowledged one is acted on no more: its id would explain views for ever) and
    the policy lets this person act on it; otherwise None (an ordinary view)."""
    raw = request.GET.get("alert", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    alert = Alert.objects.filter(pk=int(raw), child_id=child.pk, acknowledged_at__isnull=True).first()
    if alert is None or not decide(actor=signed_in_user(request), action=Permission.AlertView, alert=alert):
        return None
    return alert.pk


@login_required
@require_http_methods(["GET"])
@purpose_first
def record(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """The record under its stated purpose: full, or restricted for a shielded child; audited once, as shown.

    The full view reads the record's carers and involvements after judging it on its row, so it is
    shown only if the row still holds that state afterwards (`unchanged_since_read`), else read
    again. The restricted view reads nothing after the row: a change since can only make it stricter.
    """
    actor = signed_in_user(request)
    for _ in range(RECORD_READS):
        child = _permitted_child(request, child_id, Permission.ChildView)
        grant = _purpose_stated(request, child)
        seen = visibility(actor=actor, child=child)
        if not seen.full:
            # Decrypt only what a shielded record may show, so no template slip can reveal more.
            template = "children/record_shielded.html"
            context: dict[str, object] = {
                "child": child,
                "details": child_identity_shown(child),
                "purpose_label": PURPOSE_LABELS[grant.purpose],
                "can_override": decide(actor=actor, action=Permission.ShieldOverride, child=child).allowed,
                "own_involvements_to_end": _own_involvements_to_end(actor, child),
            }
            break
        template = "children/record.html"
        context = _full_record_context(actor, child, seen, purpose_label=PURPOSE_LABELS[grant.purpose])
        if unchanged_since_read(child):
            break
    else:
        raise Http404("the record changed while it was read")
    record_view_audit(child=child, by=actor, grant=grant, restricted=not seen.full)
    if ended := signed_out_if_suspended(request, actor=actor, action=Permission.ChildView):
        return ended
    return render(request, template, {**context, **_correction_links(actor, child)})


def _own_involvements_to_end(actor: User, child: Child) -> list[UUID]:
    """The viewer's own current involvements of a shielded child, which they may end
    (`access.policy._decide_cease`): the restricted record links each to its end page by id alone, as
    nothing else of it is shown there. Nobody else's is offered."""
    own = Involvement.objects.filter(child=child, recorded_by=actor, ceased=False).order_by("created_at")
    return [
        involvement.pk
        for involvement in own
        if decide(actor=actor, action=Permission.InvolvementCease, child=child, involvement=involvement)
    ]


def _correction_links(actor: User, child: Child) -> dict[str, bool]:
    """Links from the record to ask for a correction and (the LA team) to record a complaint.

    Not offered under break-glass: emergency access shows a shielded record once, not to change it.
    """
    return {
        "can_correct": decide(actor=actor, action=Permission.CorrectionRaise, child=child).allowed,
        "can_record_complaint": decide(actor=actor, action=Permission.ComplaintRecord, child=child).allowed,
    }


def _full_record_context(
    actor: User, child: Child, seen: Visibility, *, purpose_label: str
) -> dict[str, object]:
    """What the full record page shows, filtered by `seen` (sensitive services, source identifiers): the
    filtered record only, so that nothing hidden reaches the template (the record is decrypted whole, as
    the filter reads the sealed sensitive category, but only what passes is handed on)."""
    view = child_record(child)
    shown = visible_involvements(seen=seen, involvements=view.involvements)
    identifiers = [s for s in view.details.source_identifiers if seen.shows_identifier(s)]
    # One rule for the three moves (lifecycle.moves_views): the owning LA team, on an active record.
    links = (
        Permission.InvolvementRecord,
        Permission.LeadProfessionalSet,
        Permission.CafSet,
        Permission.TransferRequest,
    )
    can_record, can_set_lead, can_set_caf, can_manage_moves = (
        decision.allowed for decision in decide_many(actor=actor, asks=[(action, child) for action in links])
    )
    return {
        "child": child,
        "carers": view.carers,
        "school": view.organisation(
            view.details.educational_setting.organisation_id if view.details.educational_setting else None
        ),
        "gp": view.organisation(view.details.gp_practice_id),
        "details": replace(view.details, source_identifiers=identifiers),
        "seen": seen,
        "purpose_label": purpose_label,
        "involvements": shown,
        "hidden_sensitive": len(shown) < len(view.involvements),
        "source_identifiers": identifiers,
        "return_labels": ReturnIntention.LABELS,
        "lead": next((i for i in shown if i.id == view.details.lead_professional_id), None),
        "can_record": can_record,
        "can_set_lead": can_set_lead,
        "can_set_caf": can_set_caf,
        "can_manage_moves": can_manage_moves,
        "own_involvement_ids": {i.id for i in shown if i.involvement.recorded_by_id == actor.pk},
    }


@login_required
@require_http_methods(["GET", "POST"])
@purpose_first
@decider_ended_refused(Permission.InvolvementRecord)  # cut off since the check: nothing written
def involvement_new(request: HttpRequest, child_id: UUID) -> HttpResponse:
    actor = signed_in_user(request)
    child = _granted_child(request, child_id, Permission.InvolvementRecord)
    sensitive = actor.organisation_id is not None and recording_sensitive(
        by=actor, organisation_id=actor.organisation_id
    )
    form = InvolvementForm(
        request.POST or None, initial={"phone": actor.phone, "email": actor.email}, ask_basis=sensitive
    )
    if request.method == "POST" and form.is_valid():
        if (
            actor.organisation_id is None
        ):  # the policy's prerequisites already refuse this; never record unowned
            raise Refused(Decision(False, "no_organisation"), action=Permission.InvolvementRecord)
        try:
            involvement_record(
                child=child,
                by=actor,
                details=InvolvementDetails(
                    practitioner_name=actor.get_full_name() or actor.username,
                    role=form.cleaned_data["role"],
                    organisation_id=actor.organisation_id,
                    phone=form.cleaned_data["phone"],
                    email=form.cleaned_data["email"],
                    started_on=form.cleaned_data["started_on"],
                    recording_basis=form.cleaned_data.get("recording_basis"),
                ),
                recheck=still_permitted(actor=actor, action=Permission.InvolvementRecord),
            )
        except Child.DoesNotExist:  # merged into another record since this request's check
            raise Http404 from None
        except DuplicateInvolvement:
            form.add_error("role", InvolvementForm.DUPLICATE)
        except RecordingBasisMissing:
            # Classed a sensitive service (an administrator's edit) between this request's check and the
            # recording's: nothing written, and the question it now needs is asked.
            form = InvolvementForm(request.POST, ask_basis=True)
            form.is_valid()
        else:
            messages.success(request, "Your involvement has been recorded")
            return redirect("children:record", child_id=child.pk)
    return render(
        request,
        "children/involvement_new.html",
        {"form": form, "child": child, "ask_basis": "recording_basis" in form.fields},
    )


@login_required
@require_http_methods(["GET", "POST"])
@purpose_first
@decider_ended_refused(Permission.InvolvementCease)  # cut off since the check: nothing written
def involvement_end(request: HttpRequest, child_id: UUID, involvement_id: UUID) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.InvolvementCease)  # the role first: ids are not probed
    child = child_by_id(request, actor, child_id, action=Permission.InvolvementCease)
    involvement = (
        Involvement.objects.select_related("child__data_key").filter(pk=involvement_id, child=child).first()
    )
    if involvement is None:  # a look-up with a missing child's work (an archived or closed one's alike)
        no_such_record(request, actor, action=Permission.InvolvementCease, reason="no_such_record")
    decision = decide(actor=actor, action=Permission.InvolvementCease, child=child, involvement=involvement)
    refused_unless(request, actor, Permission.InvolvementCease, child, decision)
    _purpose_stated(request, child)
    current = involvement_details(involvement)
    form = CeaseForm(request.POST or None, started_on=current.started_on)
    if request.method == "POST" and form.is_valid():
        try:
            involvement_cease(
                involvement=involvement,
                by=actor,
                ended_on=form.cleaned_data["ended_on"],
                recheck=still_permitted(
                    actor=actor, action=Permission.InvolvementCease, involvement=involvement
                ),
            )
        except (Child.DoesNotExist, Involvement.DoesNotExist):  # merged away since this request's check
            raise Http404 from None
        except InvolvementAlreadyEnded:
            messages.info(request, "This involvement has already ended: nothing was changed")
        else:
            messages.success(request, "The involvement has been marked as ended")
        return redirect("children:record", child_id=child.pk)
    # Shown (first look, or a form shown again): who works with the child and their role, a view of the record.
    if ended := _look_audited(request, child, page="children:involvement_end"):
        return ended
    return render(
        request, "children/involvement_end.html", {"form": form, "child": child, "current": current}
    )


def _able_to_lead(current: list[InvolvementView]) -> list[InvolvementView]:
    """The current involvements whose practitioner may use the service now: one suspended, closed or no
    longer vetted is not named lead professional (as an offer from them is not accepted), until reinstated.
    An involvement with no account behind it has no account state to judge and stays offered."""
    recorder_ids = {i.involvement.recorded_by_id for i in current} - {None}
    recorders = User.objects.select_related("organisation").in_bulk(recorder_ids)
    return [
        i
        for i in current
        if i.involvement.recorded_by_id is None
        or ((recorder := recorders.get(i.involvement.recorded_by_id)) is not None and prerequisites(recorder))
    ]


def _named(details: ChildDetails) -> ChildIdentityShown:
    """Who the child is, of a record already decrypted: the lead professional and CAF pages print only the
    name (their question's caption), and are handed no more than even a restricted view shows, so that the
    rest (the address, the school and GP, another body's source identifier) never reaches their templates
    (review, session 39, after d30bcbc)."""
    return ChildIdentityShown(
        given_names=details.given_names,
        family_name=details.family_name,
        gender=details.gender,
        date_of_birth=details.date_of_birth,
    )


def _ended_since(shown: list[InvolvementView], posted: str | None) -> bool:
    """Is `posted` one of the involvements this person may see that has ended (the page offered it)?"""
    return any(i.id == posted and i.involvement.ceased for i in shown)


@login_required
@require_http_methods(["GET", "POST"])
@purpose_first
@decider_ended_refused(Permission.LeadProfessionalSet)  # cut off since the check: nothing written
def lead_professional(request: HttpRequest, child_id: UUID) -> HttpResponse:
    actor = signed_in_user(request)

    def read() -> tuple[Child, tuple[Visibility, ChildRecordView]]:
        child = _granted_child(request, child_id, Permission.LeadProfessionalSet)
        seen = visibility(actor=actor, child=child)
        return child, (seen, child_record(child))  # the involvements offered: read as one state

    child, (seen, view) = _read_as_one(read)
    shown = visible_involvements(seen=seen, involvements=view.involvements)
    still_open = [i for i in shown if not i.involvement.ceased]
    current = _able_to_lead(still_open)
    choices = [(i.id, f"{i.details.practitioner_name}, {i.details.role}") for i in current]
    lead_id = view.details.lead_professional_id
    initial = {"involvement": lead_id} if any(i.id == lead_id for i in current) else {}
    form = LeadProfessionalForm(request.POST or None, choices=choices, initial=initial)
    if request.method == "POST" and not form.is_valid():
        posted = request.POST.get("involvement")
        if _ended_since(shown, posted):
            # Offered when the page was read, ended since: say so, not "Select an answer".
            form.errors["involvement"] = form.error_class([LeadProfessionalForm.ENDED])
        elif any(i.id == posted for i in still_open):
            # Current, but its practitioner may not use the service now (suspended, closed, lapsed).
            form.errors["involvement"] = form.error_class([LeadProfessionalForm.CANNOT_ACT])
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["involvement"]
        involvement = None if chosen == "none" else next(i.involvement for i in current if i.id == chosen)
        try:
            lead_professional_set(
                child=child,
                by=actor,
                involvement=involvement,
                recheck=still_permitted(actor=actor, action=Permission.LeadProfessionalSet),
                may_lead=lambda practitioner: prerequisites(practitioner).allowed,
            )
        except Child.DoesNotExist:  # merged into another record since this request's check
            raise Http404 from None
        except LeadCannotAct:  # suspended, closed or no longer vetted since this page offered them
            form.add_error("involvement", LeadProfessionalForm.CANNOT_ACT)
        except ValueError:  # ended (or moved) since this page read it
            form.add_error("involvement", LeadProfessionalForm.ENDED)
        else:
            messages.success(request, "The lead professional has been updated")
            return redirect("children:record", child_id=child.pk)
    # Shown (first look, or a form shown again with its errors): a view of the record.
    if ended := _look_audited(request, child, page="children:lead_professional"):
        return ended
    return render(
        request,
        "children/lead_professional.html",
        {"form": form, "child": child, "details": _named(view.details)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@purpose_first
@decider_ended_refused(Permission.CafSet)  # cut off since the check: nothing written
def caf(request: HttpRequest, child_id: UUID) -> HttpResponse:
    actor = signed_in_user(request)
    child = _granted_child(request, child_id, Permission.CafSet)
    details = child_details(child)
    form = CafForm(request.POST or None, initial={"caf_completed": "yes" if details.caf_completed else "no"})
    if request.method == "POST" and form.is_valid():
        try:
            caf_flag_set(
                child=child,
                by=actor,
                completed=form.cleaned_data["caf_completed"] == "yes",
                recheck=still_permitted(actor=actor, action=Permission.CafSet),
            )
        except Child.DoesNotExist:  # merged into another record since this request's check
            raise Http404 from None
        messages.success(request, "The Common Assessment status has been updated")
        return redirect("children:record", child_id=child.pk)
    if ended := _look_audited(request, child, page="children:caf"):  # shown: a view of the record
        return ended
    return render(request, "children/caf.html", {"form": form, "child": child, "details": _named(details)})


@login_required
@require_http_methods(["GET", "POST"])
@gone_if_merged_away
@decider_ended_refused(Permission.ShieldOverride)  # cut off since the check: nothing written or shown
def override(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """Break-glass for override holders: reason, warning, step-up; full record in this response only."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ShieldOverride)  # the role first: ids are not probed
    child = child_by_id(request, actor, child_id, action=Permission.ShieldOverride)
    # The reason is asked of any active record of someone who may not identify it (shielded or not): only
    # breaking glass, audited and alerted at once, tells them (`access.policy.override_asked_decide`).
    asked = override_asked_decide(actor=actor, child=child)
    refused_unless(request, actor, Permission.ShieldOverride, child, asked)
    if stale := step_up(request):
        return stale
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = decide(actor=actor, action=Permission.ShieldOverride, child=child)
        refused_unless(request, actor, Permission.ShieldOverride, child, decision)
        try:
            context = shield_override(
                child=child,
                by=actor,
                reason=form.cleaned_data["reason"],
                recheck=still_permitted(actor=actor, action=Permission.ShieldOverride),
                shown=lambda stored: _full_record_context(
                    actor,
                    stored,
                    override_visibility(actor=actor),
                    purpose_label="Emergency access to a shielded record",
                ),
            )
        except Child.DoesNotExist:  # merged into another record since this request's check
            raise Http404 from None
        # Counted by the viewing rules: past the hard threshold, nothing more is shown (audited refusal).
        if ended := signed_out_if_suspended(request, actor=actor, action=Permission.ShieldOverride):
            return ended
        assert context is not None  # noqa: S101 -- None only for a suspended actor, answered above
        return render(request, "children/record.html", {**context, "override": True})
    return render(request, "children/override.html", {"form": form, "child": child})
