"""The data manager's archive pages: find a record by index number; decide, ask why, audit, show the
record once (top-floor pages)."""

from dataclasses import replace
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from access.http import LOOKUPS_LIMITED, no_such_record, require, search_over_limit
from access.permissions import Permission
from access.policy import archive_visibility, decide, visible_involvements
from accounts.http import signed_in_user
from accounts.models import Organisation, User
from children.models import Child
from children.records import Address, ChildDetails, ReturnIntention
from children.views import gone_if_merged_away, record_still_there
from lifecycle.finding import archive_lookup_record, archived_child
from lifecycle.forms import ArchiveFindForm, ArchiveOpenForm
from lifecycle.viewing import ARCHIVE_PURPOSE_LABELS, STATUTORY_REASON_LABELS, archived_record_open
from oversight.http import signed_out_if_suspended

NOT_FOUND = "No archived record in your local authority has that index number"


def _without_location(details: ChildDetails) -> ChildDetails:
    """The details with everything that places the child blanked: the address, previous postcodes, the
    school and the GP. A shielded record's page is then built without them, not merely hiding them."""
    return replace(
        details, address=Address(), former_postcodes=[], educational_setting=None, gp_practice_id=None
    )


@login_required
@require_http_methods(["GET", "POST"])
def archive_find(request: HttpRequest) -> HttpResponse:
    """One exact index number in, the archived record's own page out (it asks why, and audits).

    Why exact index number only, and why "not found" covers "not archived" and "another LA's":
    `lifecycle.finding`. The number travels in the POST body, never the URL (logs, history).
    """
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ArchiveStatutoryView)  # the archive's role: data managers
    form = ArchiveFindForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and search_over_limit(actor, page="archive_find"):
        form.add_error(None, LOOKUPS_LIMITED)  # nothing looked up: one budget however children are found
        return render(
            request, "lifecycle/archive_find.html", {"form": form, "la": _home_la(actor)}, status=429
        )
    if request.method == "POST" and form.is_valid():
        child = archived_child(index_number=form.cleaned_data["index_number"])
        may_open = child is not None and decide(
            actor=actor, action=Permission.ArchiveStatutoryView, child=child
        )
        found = child if may_open else None
        archive_lookup_record(by=actor, found=found)
        if found is not None:
            response = redirect("lifecycle:archived_record", child_id=found.pk)
            response.status_code = 303  # See Other: the record's page is fetched with GET
            return response
        form.add_error("index_number", NOT_FOUND)
    return render(request, "lifecycle/archive_find.html", {"form": form, "la": _home_la(actor)})


def _home_la(actor: User) -> Organisation | None:
    return Organisation.objects.filter(pk=actor.home_la_id).first() if actor.home_la_id else None


def _archived_record_or_404(request: HttpRequest, actor: User, child_id: UUID) -> Child:
    """The archived record of the data manager's own LA with this id, or the answer a made-up id gets.

    A data manager cannot search: the finder answers "not found" for anything but their LA's archived
    record (`archive_find`), and so must this page, or an id would tell them that a child exists, whether
    its record is archived, and that another LA holds it. An id out of their scope is answered as one that
    never existed, with its work (`access.http.no_such_record`): one look-up counted against the search
    limit and one refusal audited naming no child, as for a made-up id, so nothing is recorded against a
    child they were told nothing about (its access report would otherwise show another LA's data manager
    holding its id), and ids are not tried here for free.
    """
    child = Child.objects.select_related("data_key", "local_authority").filter(pk=child_id).first()
    if child is None or not decide(actor=actor, action=Permission.ArchiveStatutoryView, child=child):
        no_such_record(request, actor, action=Permission.ArchiveStatutoryView, reason="no_such_record")
    return child


@login_required
@require_http_methods(["GET", "POST"])
@gone_if_merged_away
def archived_record(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """In its first year the purpose suffices; afterwards the statutory route, or the policy's refusal.

    The record is shown in this response only (no session grant): every opening is asked and audited.
    A record whose purge failed after its shred (its rows wait for the next night's) is said to be
    removed, before anything is asked or audited as a view (`record_still_there`); one whose purge
    completes while the page reads it is not found (`gone_if_merged_away`).
    """
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ArchiveStatutoryView)  # the role first: ids are not probed
    child = _archived_record_or_404(request, actor, child_id)
    record_still_there(child)
    statutory = not decide(actor=actor, action=Permission.ArchiveView, child=child)
    form = ArchiveOpenForm(request.POST or None, statutory=statutory)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data.get("statutory_reason") or None
        view = archived_record_open(
            child=child,
            by=actor,
            purpose=form.cleaned_data["purpose"],
            detail=form.cleaned_data["detail"],
            statutory_reason=reason,
        )
        # The viewing rules count the opening (`archived_record_open`); one past the hard threshold
        # suspended the data manager: nothing is shown, and they are signed out.
        if ended := signed_out_if_suspended(request, actor=actor, action=Permission.ArchiveStatutoryView):
            return ended
        seen = archive_visibility(child=child)
        shown = visible_involvements(seen=seen, involvements=view.involvements)
        # Of a shielded record, the policy shows no location (`archive_visibility`): where the child
        # lived, the carers, and the services that would place them (a school, a GP) are left out of the
        # page, not merely hidden by it.
        located = seen.full
        details = view.details if located else _without_location(view.details)
        # Nor does it show a source identifier (those stay with the body that issued them): none is handed
        # on, so that nothing hidden reaches the template (review, session 39, after d30bcbc).
        details = replace(details, source_identifiers=[])
        context = {
            "child": child,
            "details": details,
            "location_withheld": not located,
            "carers": view.carers if located else [],
            "involvements": shown if located else [],
            "hidden_sensitive": located and len(shown) < len(view.involvements),
            "purpose_label": ARCHIVE_PURPOSE_LABELS[form.cleaned_data["purpose"]],
            "statutory_label": STATUTORY_REASON_LABELS[reason] if reason else None,
            "return_labels": ReturnIntention.LABELS,
        }
        return render(request, "lifecycle/archived_record.html", context)
    return render(
        request, "lifecycle/archive_open.html", {"form": form, "child": child, "statutory": statutory}
    )
