"""The organisation directory pages: find, add, change and close an organisation (system administrator).

Closing is never deleting: it asks first, says what it touches (active accounts, current involvements
its staff recorded), then dates the organisation closed and keeps every row. An LA that children's records
or open organisations still depend on is not closed. Every write re-reads the administrator under a lock:
one closed or suspended since the request passed the policy changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from access.http import Refused, require, signed_out_refusal
from access.permissions import Permission
from access.policy import Decision, organisation_cut_off_decide
from accounts.directory import (
    OrganisationCodeTaken,
    OrganisationDetails,
    closing_impact,
    organisation_close,
    organisation_closed_on_held,
    organisation_create,
    organisation_update,
    organisations_find,
)
from accounts.http import signed_in_user
from accounts.models import Organisation, User
from accounts.services import ActorCannotAct, actor_able_locked, actor_vetted_held
from accounts.stepup import step_up
from administration.forms import (
    CODE_TAKEN,
    LA_ACCREDITATION_HELD,
    LA_CODE_FIXED,
    LA_NOT_ACCREDITED_STAFFED,
    OWN_ORGANISATION,
    DirectoryFilterForm,
    OrganisationForm,
    accreditation_taken,
    la_code_fixed,
    staffed_move_refused,
)
from administration.holdings import still_holds as _still_holds  # patched by name in tests
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Involvement
from oversight.services import alerts_follow_staff

OWN_ORGANISATION_CLOSE = (
    "You cannot close the organisation your own account belongs to: it would end your access and your "
    "colleagues'. An administrator of another organisation must close it"
)
LA_STILL_HOLDS = (
    "A local authority cannot be closed while it holds children's records or open organisations: from the "
    "day it closes its team and data manager are refused, and nobody else shields, transfers or answers for "
    "its children, or looks after its organisations' staff. Transfer its children and move or close its "
    "organisations first"
)
LA_CLOSED_SINCE = "That local authority has been closed since you opened this page: select another"
CHANGED_SINCE = (
    "Another administrator changed this organisation since you opened this page. The form now shows it "
    "as saved: make your changes again"
)


def _organisation(request: HttpRequest, organisation_id: int) -> tuple[User, Organisation]:
    """The policy first, then the lookup: a role without access learns nothing about which ids exist."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.OrganisationManage)
    return actor, get_object_or_404(
        Organisation.objects.select_related("local_authority"), pk=organisation_id
    )


def _own_organisation(actor: User, organisation: Organisation) -> bool:
    """Is `organisation` the one the policy refuses `actor` to cut off because it is their own
    (`organisation_cut_off_decide`)? For what a page shows (the close button, the words); refusing a change
    is `_cut_off_refused`."""
    return organisation_cut_off_decide(actor=actor, organisation=organisation).reason == OWN_ORGANISATION


def _cut_off_refusal_audited(actor: User, organisation: Organisation, decision: Decision) -> None:
    """A refused close or de-accreditation, audited as every refusal is (`access:denied`, as
    `access.http.denied` writes it), naming the organisation as a refusal about an account names it. The
    page says why in the directory's own words, and the administrator stays on it."""
    event_record(
        tag=AuditTag.AccessDenied,
        actor=actor,
        additional={
            "action": str(Permission.OrganisationManage),
            "reason": decision.reason,
            "organisation_id": organisation.pk,
        },
    )


def _cut_off_refused(actor: User, organisation: Organisation) -> bool:
    """Does the policy refuse `actor` closing `organisation`? Their own organisation: True, audited (the
    page says so in its words). Any other refusal (the page's `require` passed them a moment before: a
    suspension since, say) is the policy's audited refusal page (`Refused`)."""
    decision = organisation_cut_off_decide(actor=actor, organisation=organisation)
    if decision:
        return False
    if decision.reason != OWN_ORGANISATION:
        raise Refused(decision, action=Permission.OrganisationManage)
    _cut_off_refusal_audited(actor, organisation, decision)
    return True


class LocalAuthorityClosedSince(Exception):
    """The LA chosen for an organisation was closed after the form offered it: nothing was written."""


class LocalAuthorityCodeFixedSince(Exception):
    """The edit changes an LA's code, and a child was allocated to it after the form found none: asked
    again under the LA's row lock, nothing was written (feeds allocate children by the code)."""


class LocalAuthorityHoldsSince(Exception):
    """The edit takes an LA's accreditation away, and a child or an open organisation was put in it after
    the form counted none: counted again under the LA's row lock, nothing was written."""


class LocalAuthorityNotAccreditedStaffed(Exception):
    """The edit moves an organisation with open accounts or waiting misuse alerts into an LA not accredited
    today: its accreditation taken, or an account opened in the organisation, after the form was checked.
    Asked again with the LA held and the organisation locked, nothing was written."""


def _administrator_held(
    actor: User, changing: int | None = None, into: int | None = None
) -> Organisation | None:
    """In the writing transaction: the administrator judged again under locks, and the organisation being
    changed (`changing`) locked FOR UPDATE and returned as stored.

    Their account's row first (`actor_able_locked`: closed or suspended since? Its organisation is held
    here, not there), then their own organisation held (FOR KEY SHARE, `organisation_closed_on_held`: a
    close or an edit of it, which lock it FOR UPDATE, waits for this write or is seen) together with the
    one changed, both in id order, so
    two administrators each cutting off the other's organisation are served one after the other and the
    second, cut off by then, changes nothing. Then the whole vetting again (`actor_vetted_held`, on the
    holds taken here) on the account as stored now: `ActorCannotAct` when it no longer passes, nothing
    written.

    `into`: the LA the organisation is put in, held likewise (a close counts its open organisations as
    committed, and the new reference to it is checked by the database only at commit, so a close arriving
    meanwhile waits for this write and then counts it). `LocalAuthorityClosedSince` when it was closed
    before: unless the entry already belonged to it (kept offered so the entry can be corrected).
    """
    actor_able_locked(actor, closed_or_suspended_only=True)
    locked = None
    closed_on = {}
    for pk in sorted({pk for pk in (actor.organisation_id, changing, into) if pk is not None}):
        if pk == changing:
            locked = Organisation.objects.select_for_update().get(pk=pk)
            closed_on[pk] = locked.closed_on
        else:
            closed_on[pk] = organisation_closed_on_held(pk)
    actor_vetted_held(actor, held=True)
    already_there = locked is not None and locked.local_authority_id == into
    ended = closed_on.get(into) if into is not None else None
    if ended is not None and ended <= timezone.localdate() and not already_there:
        raise LocalAuthorityClosedSince
    return locked


def _changing_held(actor: User, organisation: Organisation, into: int | None = None) -> Organisation:
    """`_administrator_held` for a change to `organisation`: its row as locked."""
    locked = _administrator_held(actor, changing=organisation.pk, into=into)
    return locked if locked is not None else Organisation.objects.get(pk=organisation.pk)


def _la_id(details: OrganisationDetails) -> int | None:
    """The LA the details put the organisation in (None for an LA or a national body, which have none)."""
    la = details.as_fields()["local_authority"]
    return la.pk if la is not None else None


@login_required
@require_http_methods(["GET"])
def organisations(request: HttpRequest) -> HttpResponse:
    require(actor=signed_in_user(request), action=Permission.OrganisationManage)
    filters = DirectoryFilterForm(request.GET or None)
    kind = name = ""
    if filters.is_valid():
        kind, name = filters.cleaned_data["kind"], filters.cleaned_data["name"]
    found = list(organisations_find(kind=kind, name=name))
    # `today`: an organisation accredited from a later day is not open to its staff yet (the status tag).
    context = {"filters": filters, "found": found, "today": timezone.localdate()}
    return render(request, "administration/organisations.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.OrganisationManage)
    if stale := step_up(request):
        return stale
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        details = form.details()
        try:
            with transaction.atomic():
                _administrator_held(actor, into=_la_id(details))
                organisation = organisation_create(by=actor, details=details)
        except ActorCannotAct:
            return signed_out_refusal(request, actor=actor, action=Permission.OrganisationManage)
        except LocalAuthorityClosedSince:
            form.add_error("local_authority", LA_CLOSED_SINCE)
        except OrganisationCodeTaken:
            form.add_error("code", CODE_TAKEN)  # a colleague added the same code after the form checked
        else:
            messages.success(request, f"{organisation.name} added to the directory")
            return redirect("administration:organisation", organisation_id=organisation.pk)
    return render(request, "administration/organisation_form.html", {"form": form, "organisation": None})


@login_required
@require_http_methods(["GET"])
def organisation(request: HttpRequest, organisation_id: int) -> HttpResponse:
    actor, found = _organisation(request, organisation_id)
    own = _own_organisation(actor, found)
    if request.GET.get("confirm") == "close" and found.closed_on is None and own:
        messages.info(request, OWN_ORGANISATION_CLOSE)
    elif request.GET.get("confirm") == "close" and found.closed_on is None and (holds := _still_holds(found)):
        return render(
            request, "administration/organisation_close.html", {"organisation": found, "holdings": holds}
        )
    elif request.GET.get("confirm") == "close" and found.closed_on is None:
        current = Involvement.objects.filter(recorded_by__organisation=found, ceased=False).count()
        impact = closing_impact(found, current_involvements=current)
        return render(
            request, "administration/organisation_close.html", {"organisation": found, "impact": impact}
        )
    context = {"organisation": found, "own": own, "today": timezone.localdate()}  # today: the status tag
    return render(request, "administration/organisation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    actor, found = _organisation(request, organisation_id)
    if stale := step_up(request):
        return stale
    if request.method == "POST":
        form = OrganisationForm(request.POST, editing=found, by=actor)
        valid = form.is_valid()
        if form.cut_off_refusal is not None:
            _cut_off_refusal_audited(actor, found, form.cut_off_refusal)
        if valid:
            try:
                changed = _organisation_save(form, found, actor)
            except ActorCannotAct:
                return signed_out_refusal(request, actor=actor, action=Permission.OrganisationManage)
            except LocalAuthorityClosedSince:
                form.add_error("local_authority", LA_CLOSED_SINCE)
            except LocalAuthorityHoldsSince:
                form.add_error("accredited_day", LA_ACCREDITATION_HELD)
            except LocalAuthorityNotAccreditedStaffed:
                form.add_error("local_authority", LA_NOT_ACCREDITED_STAFFED)
            except LocalAuthorityCodeFixedSince:
                form.add_error("code", LA_CODE_FIXED)
            except OrganisationCodeTaken:
                form.add_error("code", CODE_TAKEN)
            else:
                if changed is None:  # read before a colleague's save: theirs stands, shown as it is now
                    found.refresh_from_db()
                    form = OrganisationForm.as_stored(found, by=actor)
                    form.add_error(None, CHANGED_SINCE)
                else:
                    messages.success(request, "Changes saved" if changed else "Nothing was changed")
                    return redirect("administration:organisation", organisation_id=found.pk)
    else:
        initial = {**OrganisationForm.initial_for(found), "version": OrganisationForm.version_of(found)}
        form = OrganisationForm(initial=initial, editing=found)
    return render(request, "administration/organisation_form.html", {"form": form, "organisation": found})


def _organisation_save(form: OrganisationForm, found: Organisation, actor: User) -> list[str] | None:
    """The form's details written over the entry as stored, under its row lock; None (nothing written)
    when the page was read before the entry last changed. Raises `OrganisationCodeTaken`,
    `LocalAuthorityHoldsSince`, `LocalAuthorityCodeFixedSince`, `LocalAuthorityNotAccreditedStaffed`, and
    `ActorCannotAct` when the administrator was closed or suspended meanwhile."""
    details = form.details()
    into = _la_id(details)
    with transaction.atomic():
        current = _changing_held(actor, found, into=into)
        if form.read_before(current):
            return None
        # The LA is held (FOR KEY SHARE: an edit taking its accreditation, FOR UPDATE, waits for this write
        # or was committed before and is read now) and the organisation locked (an invitation into it
        # holds it FOR SHARE, so an account opened since is counted): judged again as the closed LA is.
        if staffed_move_refused(current, into):
            raise LocalAuthorityNotAccreditedStaffed
        # The form counted the LA's holdings before this lock: a child allocated or transferred to it, or
        # an organisation put in it, committed since is counted now (each holds the LA's row as it writes,
        # so one still on its way waits for this write, as for a close: `_organisation_close_locked`).
        if accreditation_taken(current, details.accredited_on) and _still_holds(current) is not None:
            raise LocalAuthorityHoldsSince
        # Likewise the code of an LA a child was allocated to since the form found none (a feed's child,
        # or one transferred in, holds the LA's row as it is written): fixed, as the form says.
        if la_code_fixed(current, details.code):
            raise LocalAuthorityCodeFixedSince
        from_la_id = current.local_authority_id
        changed = organisation_update(organisation=current, by=actor, details=details)
        if "local_authority" in changed and from_la_id is not None and current.local_authority_id is not None:
            # Its staff's accounts are the new LA's team's now: so are their waiting misuse alerts.
            alerts_follow_staff(
                organisation_id=current.pk, from_la_id=from_la_id, to_la_id=current.local_authority_id
            )
        return changed


@login_required
@require_POST
def organisation_close_view(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Closes only from the confirmation page's button (`confirmed=yes`); anything else is sent there."""
    actor, found = _organisation(request, organisation_id)
    if stale := step_up(request):
        return stale
    target = reverse("administration:organisation", args=[found.pk])
    if found.closed_on is None and _cut_off_refused(actor, found):
        messages.info(request, OWN_ORGANISATION_CLOSE)
        return redirect(target)
    if request.POST.get("confirmed") != "yes" and found.closed_on is None:
        return redirect(f"{target}?confirm=close")
    try:
        held, closing, current = _organisation_close_locked(
            found, actor, request.POST.get("confirmed") == "yes"
        )
    except ActorCannotAct:
        return signed_out_refusal(request, actor=actor, action=Permission.OrganisationManage)
    if held:
        messages.info(request, LA_STILL_HOLDS)
    elif closing:
        messages.success(request, f"{current.name} is closed. Its history is kept.")
    elif request.POST.get("confirmed") == "yes":
        messages.info(
            request,
            "This organisation had already been closed (another administrator may have closed it): "
            "nothing was changed",
        )
    return redirect(target)


def _organisation_close_locked(
    found: Organisation, actor: User, confirmed: bool
) -> tuple[bool, bool, Organisation]:
    """(held: an LA something still depends on, closing: closed now, the row as locked). `ActorCannotAct`
    when the administrator was closed or suspended meanwhile; nothing is written then."""
    with transaction.atomic():
        # Locked and read again: two administrators on the confirmation page close it once, audited once.
        # What an LA holds is counted as committed: a child still being allocated to it by an uncommitted
        # transaction is not seen (Django's foreign keys are checked at commit, so the insert takes no lock
        # on the LA's row before then); the writers that allocate children must refuse a closed LA.
        current = _changing_held(actor, found)
        held = current.closed_on is None and _still_holds(current) is not None
        closing = current.closed_on is None and confirmed and not held
        if closing:
            organisation_close(organisation=current, by=actor)
    return held, closing, current
