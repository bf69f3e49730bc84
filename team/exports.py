"""Disclosure export pages: the one route out for a file naming children (docs/SECURITY.md).

One LA team member asks (lawful basis, reference, a few of their LA's children, each field chosen);
a different member of the same team approves or refuses; the asker alone downloads, once, before
the approval expires. Each view: the policy first (before any lookup), step-up for every change,
one service, a redirect or a page. The state machine is `disclosure.services`; the file is built
at download time by `team.disclosure_file`, encrypted, and never stored.
"""

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from access.http import Refused, decider_ended_refused, require
from access.permissions import Permission
from access.policy import Decision, decide, export_approval_stands
from accounts.http import signed_in_user
from accounts.models import Organisation, User
from accounts.services import actor_able_locked
from accounts.stepup import step_up
from children.merged_away import key_opens
from children.models import Child
from disclosure.fields import EXPORT_FIELDS, SHIELDED_WITHHELD
from disclosure.models import DisclosureExport, ExportStatus
from disclosure.selectors import ExportNotes, export_notes
from disclosure.services import (
    GONE,
    AlreadyDecided,
    Availability,
    Builder,
    Built,
    NotDownloadable,
    export_availability,
    export_decide,
    export_release,
    export_request,
    export_view_audit,
    exports_list_audit,
)
from rowlocks.held import Strength, row_held
from team.disclosure_file import (
    PASSPHRASE_VALID_SECONDS,
    export_built,
    export_file_name,
    passphrase_from_token,
    passphrase_new,
    passphrase_token,
)
from team.forms import ExportDecisionForm, ExportRequestForm
from vault.crypto import KeyRevoked
from vault.keys import KeyShredded

LIST_LIMIT = 100  # requests on each page of the list (`?page=N`)

MERGED_AWAY = (
    "The record with the index number {number} has just been merged into another record: nothing has been "
    "asked. Find the child's record again and ask with its index number."
)
NO_LONGER_HELD = "No active record held by your local authority has the index number {number}"


class ChildNoLongerAskable(Exception):
    """A child the form found is no longer there to ask about, as the request is written: `message` says
    why, in words for the form."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _children_held(children: list[Child], *, by: User) -> None:
    """In the writing transaction, after the requester's account and organisation (accounts,
    organisations, then children, as every writer takes them): each child's row held FOR KEY SHARE, in
    id order (as a merge and the download lock them), and judged again as the form judged it.

    The form found each child an active record of the LA; a merge may fold one into another record (its
    row deleted) before the export naming it is written, and the deferred foreign-key check then failed
    at the commit: a server error. Held first, a merge committed before is seen (the row is gone:
    `ChildNoLongerAskable`, nothing written), and one arriving later waits for this request, then names
    its survivor on the export as it does for every export naming the duplicate. A record archived,
    closed or moved since is refused in the form's own words. KEY SHARE is the lock the export's own
    foreign keys take at the commit, taken earlier: readers and updates of the record's details go
    through; a delete, or a writer locking the row FOR UPDATE, waits for this short transaction. On
    SQLite, which serialises writers, the rows are read only."""
    for child in sorted(children, key=lambda c: str(c.pk)):
        if not row_held(Child, child.pk, strength=Strength.KEY_SHARE):
            raise ChildNoLongerAskable(MERGED_AWAY.format(number=child.index_number))
    stored = Child.objects.in_bulk([child.pk for child in children])
    for child in children:
        # The policy's question (an active record of the asker's LA), asked of the record as stored.
        if not decide(actor=by, action=Permission.DisclosureExportRequest, child=stored[child.pk]).allowed:
            raise ChildNoLongerAskable(NO_LONGER_HELD.format(number=child.index_number))


def _judged_again_locked(actor: User, *, action: Permission, export: DisclosureExport | None = None) -> User:
    """In the writing transaction: the person asking or deciding as they are now. Their account's row,
    then their organisation held (FOR KEY SHARE: its close or an edit taking its accreditation or its LA,
    which lock it FOR UPDATE, wait for this write or are seen; accounts before organisations, as the
    download locks them), then the whole vetting again: `accounts.services.actor_able_locked`, as every
    decider. `ActorCannotAct` when it no longer passes: nothing is written, and `decider_ended_refused`
    answers with the audited refusal saying why, signed out.

    Then the page's own policy question (`action`, about `export`) asked again of the account as stored,
    as the download asks it (`_downloader_as_stored`): one moved to another LA (their account, or their
    organisation put in another LA) or out of the LA team since the page's check is `Refused` in words,
    audited by the refusal page, and the transaction writes nothing. Returns the account as stored."""
    actor_able_locked(actor)
    return _asked_again_as_stored(actor, action=action, export=export)


def _asked_again_as_stored(person: User, *, action: Permission, export: DisclosureExport | None) -> User:
    """`person` read again as stored (with their organisation) and asked the page's policy question:
    returned if allowed, else `Refused`. The one re-reading of the request, decision and download."""
    stored = User.objects.select_related("organisation").get(pk=person.pk)
    require(actor=stored, action=action, export=export)
    return stored


def _notes(export: DisclosureExport) -> ExportNotes:
    """The export's reference and decision reason, or destroyed once its own key no longer opens.

    Purging a child shreds the notes of every export naming it (`disclosure.retention`: the export's key
    revoked at the provider first, then the columns blanked, as the child's row is deleted). A purge that
    failed after that left the columns but not the key: the notes are destroyed all the same (the next
    night's purge blanks them), said as such, never a server error on the export's page or the list. A
    key that refused while the export's own still opens is a real fault, raised as it was."""
    try:
        return export_notes(export)
    except (KeyRevoked, KeyShredded):
        if key_opens(export.data_key):
            raise
        return ExportNotes(reference=None, decision_reason=None)


def _export(request: HttpRequest, export_id: UUID, action: Permission) -> tuple[User, DisclosureExport]:
    """The export, after the policy: a role without access is refused before the lookup."""
    actor = signed_in_user(request)
    require(actor=actor, action=action)
    export = get_object_or_404(
        DisclosureExport.objects.select_related("requested_by", "decided_by__organisation", "data_key"),
        pk=export_id,
    )
    require(actor=actor, action=action, export=export)
    return actor, export


@login_required
@require_http_methods(["GET"])
def exports(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.DisclosureExportView)
    # Newest first, a page at a time; the id breaks a tie, so requests made in the same instant are each
    # on one page only. A page number that is not one shows the first page, one out of range the last
    # (`get_page`, as the reports page).
    requests = (
        DisclosureExport.objects.filter(local_authority_id=actor.home_la_id)
        .select_related("requested_by", "decided_by__organisation", "data_key")
        .order_by("-requested_at", "-pk")
    )
    page = Paginator(requests, LIST_LIMIT).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    rows = [
        (export, export_availability(export, approval_stands=export_approval_stands), _notes(export))
        for export in listed
    ]
    exports_list_audit(exports=listed, by=actor)  # the requests on this page only
    return render(request, "team/exports.html", {"rows": rows, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.DisclosureExportRequest)  # ended or cut off since: nothing asked
def export_new(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.DisclosureExportRequest)
    la_id = actor.home_la_id
    if la_id is None:  # the policy has refused this already ("no_organisation"); this narrows the type
        raise Refused(Decision(False, "no_organisation"), action=Permission.DisclosureExportRequest)
    if stale := step_up(request):
        return stale
    form = ExportRequestForm(request.POST or None, local_authority_id=la_id)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                # The requester as they are now: one suspended, closed or cut off since the policy passed
                # them, moved out of the LA team, or moved to another LA than the one the form checked the
                # children against, asks for nothing (refused, audited).
                stored = _judged_again_locked(actor, action=Permission.DisclosureExportRequest)
                if stored.home_la_id != la_id:
                    raise Refused(Decision(False, "other_la"), action=Permission.DisclosureExportRequest)
                # Then each child as it is now: one merged away since the form's check is said in words.
                _children_held(form.cleaned_data["index_numbers"], by=stored)
                export = export_request(
                    by=stored,
                    local_authority=get_object_or_404(Organisation, pk=la_id),
                    lawful_basis=form.cleaned_data["lawful_basis"],
                    reference=form.cleaned_data["reference"],
                    children=form.cleaned_data["index_numbers"],
                    fields=form.cleaned_data["details"],
                )
        except ChildNoLongerAskable as gone:
            form.add_error("index_numbers", gone.message)
        else:
            messages.success(request, "Export requested. A colleague in your LA team must approve it.")
            return redirect("team:export", export_id=export.pk)
    context = {"form": form, "limit": settings.DISCLOSURE_EXPORT_MAX_CHILDREN}
    return render(request, "team/export_new.html", context)


def _detail(
    request: HttpRequest, actor: User, export: DisclosureExport, form: ExportDecisionForm | None = None
) -> HttpResponse:
    # Every showing names the children and the reference: a form shown again with an error included.
    export_view_audit(export=export, by=actor)
    availability = export_availability(export, approval_stands=export_approval_stands)
    may_decide = (
        export.status == ExportStatus.PENDING
        and decide(actor=actor, action=Permission.DisclosureExportDecide, export=export).allowed
    )
    may_download = (
        availability == Availability.READY
        and decide(actor=actor, action=Permission.DisclosureExportDownload, export=export).allowed
    )
    passphrase = passphrase_new() if may_download else ""
    context = {
        "export": export,
        "notes": _notes(export),
        "availability": availability,
        "index_numbers": sorted(export.children.values_list("index_number", flat=True)),
        "field_labels": [EXPORT_FIELDS[key] for key in export.fields if key in EXPORT_FIELDS],
        "shielded_withheld": SHIELDED_WITHHELD,
        "form": (form or ExportDecisionForm()) if may_decide else None,
        "passphrase": passphrase,
        "token": passphrase_token(passphrase=passphrase, export=export) if may_download else "",
        "max_downloads": settings.DISCLOSURE_EXPORT_MAX_DOWNLOADS,
        "passphrase_minutes": PASSPHRASE_VALID_SECONDS // 60,
    }
    response = render(request, "team/export.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET"])
def export_detail(request: HttpRequest, export_id: UUID) -> HttpResponse:
    actor, export = _export(request, export_id, Permission.DisclosureExportView)
    return _detail(request, actor, export)


@login_required
@require_POST
@decider_ended_refused(Permission.DisclosureExportDecide)  # ended or cut off since: nothing decided
def export_decision(request: HttpRequest, export_id: UUID) -> HttpResponse:
    actor, export = _export(request, export_id, Permission.DisclosureExportDecide)
    if stale := step_up(request):
        return stale
    form = ExportDecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, actor, export, form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        with transaction.atomic():
            # The export's row, then the decider as they are now (the order the download locks them in):
            # one suspended, closed or cut off since the policy passed them decides nothing. An approval
            # stands only while its approver could give it, but a reinstatement makes it stand again, so
            # one given by an account that could not give it must never be stored. FOR NO KEY UPDATE, as the
            # download: a merge by this same decider holds their account and, at its commit, names its
            # survivor on the export (FOR KEY SHARE): FOR UPDATE here, waiting for that account, deadlocked.
            DisclosureExport.objects.select_for_update(no_key=True).filter(pk=export.pk).values_list(
                "pk"
            ).first()
            # Then their policy question again on the account as stored: one moved to another LA or out of
            # the LA team since the page's check decides nothing (refused, audited).
            stored = _judged_again_locked(actor, action=Permission.DisclosureExportDecide, export=export)
            export_decide(export=export, by=stored, approve=approve, reason=form.cleaned_data["reason"])
    except AlreadyDecided as undecided:  # or a child it named was purged (`ExportNotesDestroyed`)
        messages.info(request, undecided.message)
        return redirect("team:export", export_id=export.pk)
    messages.success(request, "Export approved." if approve else "Export refused.")
    return redirect("team:export", export_id=export.pk)


def _downloader_as_stored(by: User, export: DisclosureExport) -> User:
    """The downloader as stored, judged again by the download's own policy question (`Refused` if no).

    Asked by the build, in the release's transaction: `export_release` has locked the account's row and
    held its organisation, and judged its vetting only (`actor_vetted_held`). A requester moved to another
    LA (their account, or their organisation put in another LA) or out of the LA team after the page's
    check took the file of children no longer theirs to disclose; now it is refused in words, audited by
    the refusal page, and the count and the release's events roll back. A change arriving from here on
    waits for the download. Not the approval's question: the export's approval still stands."""
    return _asked_again_as_stored(by, action=Permission.DisclosureExportDownload, export=export)


def _builder(*, by: User, passphrase: str | None) -> Builder | None:
    """What builds the encrypted file, or None without a passphrase: then nothing may be released. It
    judges the downloader as stored first (`_downloader_as_stored`), and asks about each child as them."""
    if passphrase is None:
        return None

    def build(export: DisclosureExport, children: list[Child]) -> Built:
        stored = _downloader_as_stored(by, export)
        return export_built(export=export, children=children, by=stored, passphrase=passphrase)

    return build


@login_required
@require_POST
@decider_ended_refused(Permission.DisclosureExportDownload)  # suspended or closed since: nothing released
def export_download(request: HttpRequest, export_id: UUID) -> HttpResponse:
    """The encrypted file, once: counted and audited (per child) before it is built from the vault."""
    actor, export = _export(request, export_id, Permission.DisclosureExportDownload)
    if stale := step_up(request):
        return stale
    passphrase = passphrase_from_token(token=request.POST.get("token", ""), export=export)
    availability = (
        export_availability(export, approval_stands=export_approval_stands) if passphrase is None else None
    )
    if availability is not None and availability not in GONE:
        # Never released without a passphrase to encrypt with: the release uses the one download up and
        # audits it for every child, so a file that cannot be built must not be released (a request still
        # waiting when it was read may be approved an instant later). An expired, used or withdrawn
        # export goes on, to be refused and the attempt audited.
        if availability == Availability.READY:
            messages.info(
                request, "The page was open too long. Note the new passphrase, then download the file."
            )
        return redirect("team:export", export_id=export.pk)
    try:
        # Built inside the release, from the children as it counted them (`export_release` says why).
        released = export_release(
            export=export,
            by=actor,
            approval_stands=export_approval_stands,
            build=_builder(by=actor, passphrase=passphrase),
        )
    except NotDownloadable as gone:
        if gone.availability in GONE:
            context = {"export": export, "availability": gone.availability}
            return render(request, "team/export_expired.html", context, status=410)
        return redirect("team:export", export_id=export.pk)
    body = released.file
    if body is None:  # only an export that is gone goes on without a passphrase, and it is refused
        return redirect("team:export", export_id=export.pk)
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export_file_name(export)}"'
    response["Cache-Control"] = "no-store"
    return response
