"""Merge pages for the LA team: two records of one child side by side, merged with a reason; undone likewise.

Resolving uncertain matches is the LA team's job (docs: domain.md), for its own LA's records, shielded
ones included; every page asks the policy (`Permission.ChildMerge`). The work and its audit events are
`linkage.merging`'s: a shield on either record stays on the survivor, and an unmerge restores both.
"""

from dataclasses import replace
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from access.http import LOOKUPS_LIMITED, decider_ended_refused, permitted_child, require, search_over_limit
from access.permissions import Permission
from access.policy import decide, identifiers_shown, visibility
from accounts.http import signed_in_user
from children.merged_away import RecordRemoved
from children.models import Child, RecordStatus
from children.views import record_still_there, removed_record_said
from linkage.forms import MergeConfirmForm, MergeFindForm, UnmergeForm
from linkage.merging import (
    REMOVED_SHIELDED,
    MergeRefused,
    child_merge,
    child_unmerge,
    merge_compare_audit,
    merge_copy_destroyed,
    merge_lookup_record,
)
from linkage.models import ChildMerge
from linkage.selectors import merge_side_by_side
from oversight.http import signed_out_if_suspended


@login_required
@require_http_methods(["GET", "POST"])
def merge_find(request: HttpRequest) -> HttpResponse:
    """Two index numbers in, the two records side by side out.

    Each look-up is audited, one event per number (`merge_lookup_record`), and counts against the person's
    search limit (`search.user`): one budget for finding children, however they look, so the finder is no
    way round the search's limit. Past it nothing is looked up; the refusals are audited once a minute
    (as the search's are: `access.http.SEARCH_REFUSED`).
    """
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ChildMerge)
    form = MergeFindForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if search_over_limit(actor, page="merge_find"):
            form.add_error(None, LOOKUPS_LIMITED)
            return render(request, "linkage/merge_find.html", {"form": form}, status=429)
        # A record the policy would refuse (another LA's) is answered like an unknown number: no probing.
        found = {
            c.index_number: c
            for c in Child.objects.filter(
                index_number__in=[form.cleaned_data["survivor"], form.cleaned_data["duplicate"]],
                status=RecordStatus.ACTIVE,
            )
            if decide(actor=actor, action=Permission.ChildMerge, child=c)
        }
        merge_lookup_record(
            by=actor,
            looked_up=[(name, found.get(form.cleaned_data[name])) for name in ("survivor", "duplicate")],
        )
        for name in ("survivor", "duplicate"):
            if form.cleaned_data[name] not in found:
                form.add_error(name, "No active record has this index number")
        if not form.errors:
            survivor, duplicate = found[form.cleaned_data["survivor"]], found[form.cleaned_data["duplicate"]]
            return redirect("linkage:merge_compare", survivor.pk, duplicate.pk)
    status = 400 if form.errors else 200
    return render(request, "linkage/merge_find.html", {"form": form}, status=status)


def _both_still_there(request: HttpRequest, survivor: Child, duplicate: Child) -> None:
    """Before the two records are read: one whose own key a merge that then failed shredded (its row still
    there) is said to be removed (`RecordRemoved`), one merged away since the request loaded it is not found.
    Called once the policy has judged both records (so a shielded one is its LA team's): a shielded one
    removed is never deleted overnight (`lifecycle.removal`), and the team is told to shield the other
    record first if it is the same child (`REMOVED_SHIELDED`, as running the merge again says)."""
    for child in (survivor, duplicate):
        try:
            record_still_there(child)
        except RecordRemoved:
            if child.shielded:
                messages.warning(request, f"{REMOVED_SHIELDED[0].upper()}{REMOVED_SHIELDED[1:]}.")
            raise


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.ChildMerge)
@removed_record_said
def merge_compare(request: HttpRequest, survivor_id: UUID, duplicate_id: UUID) -> HttpResponse:
    actor = signed_in_user(request)
    # The role first (ids are not probed), then each child as on every page taking its id, one after the
    # other: either answers a made-up, archived or closed id alike, with the same work.
    survivor = permitted_child(request, actor, survivor_id, Permission.ChildMerge)
    duplicate = permitted_child(request, actor, duplicate_id, Permission.ChildMerge)
    form = MergeConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            merge = child_merge(
                survivor=survivor,
                duplicate=duplicate,
                by=actor,
                reason=form.cleaned_data["reason"],
                # This page's question again, of the account as stored, under the merge's locks.
                recheck=lambda stored, by: require(actor=by, action=Permission.ChildMerge, child=stored),
            )
        except MergeRefused as refused:
            # Refused under the merge's locks: a record was merged into another (its key shredded), moved
            # to another LA or closed since this request loaded it, or a transfer waits. Nothing is shown
            # again from what was loaded (a merged-away record no longer decrypts; a moved one is another
            # team's): the team finds the records again.
            messages.info(request, f"Nothing was changed: {refused}.")
            return redirect("linkage:merge_find")
        else:
            messages.success(request, "Records merged.")
            return redirect("linkage:merge_detail", merge.pk)
    _both_still_there(request, survivor, duplicate)
    # Every showing, a form shown again included: an empty POST shows both records as a GET does.
    merge_compare_audit(survivor=survivor, duplicate=duplicate, by=actor)
    # The viewing rules counted both children; past the hard threshold nothing is shown (signed out).
    if ended := signed_out_if_suspended(request, actor=actor, action=Permission.ChildMerge):
        return ended
    # Each identifier is handed on once, as shown (another body's value withheld); each side's record goes
    # to the template without them, so nothing hidden reaches it (review, session 39, after d30bcbc).
    records = [
        {
            "record": replace(r, details=replace(r.details, source_identifiers=[])),
            "identifiers": identifiers_shown(
                seen=visibility(actor=actor, child=r.child), identifiers=r.details.source_identifiers
            ),
        }
        for r in merge_side_by_side(survivor, duplicate)
    ]
    context = {"form": form, "records": records}
    return render(request, "linkage/merge_compare.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.ChildMerge)
def merge_detail(request: HttpRequest, merge_id: UUID) -> HttpResponse:
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.ChildMerge)
    merge = get_object_or_404(
        ChildMerge.objects.select_related("survivor", "merged_by", "unmerged_by", "restored_child"),
        pk=merge_id,
    )
    require(actor=actor, action=Permission.ChildMerge, child=merge.survivor, merge=merge)
    undone = merge.unmerged_at is not None
    destroyed = merge_copy_destroyed(merge)
    # A POST from a page loaded before the copy was destroyed is still answered, refused in words.
    form = UnmergeForm(request.POST if request.method == "POST" and not undone else None)
    if form.is_valid():
        try:
            restored = child_unmerge(
                merge=merge,
                by=actor,
                reason=form.cleaned_data["reason"],
                recheck=lambda stored, survivor, by: require(
                    actor=by, action=Permission.ChildMerge, child=survivor, merge=stored
                ),
            )
        except MergeRefused as refused:
            messages.info(request, f"Nothing was changed: {refused}.")
        else:
            messages.success(
                request,
                "Merge undone: both records are back. The record was restored shielded: lift the shield "
                "once you are sure it is not the shielded child."
                if restored.shielded
                else "Merge undone: both records are back.",
            )
        return redirect("linkage:merge_detail", merge.pk)
    context = {"form": form, "merge": merge, "undone": undone, "destroyed": destroyed}
    return render(request, "linkage/merge_detail.html", context, status=400 if form.errors else 200)
