"""LA team pages for moves and identity changes (a page module: decide, call one service, render).

Transfers between LAs (request, the list both teams see, accept or decline, withdraw), the address
statement ("no known address", "left England"), and a new identity. Every rule is `access.policy`'s.
"""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from access.http import decider_ended_refused, permitted_child, require
from access.permissions import Permission
from access.policy import decide
from accounts.http import signed_in_user
from accounts.stepup import step_up
from children.models import ARCHIVE_AGE_DEFAULT, Child
from children.views import record_still_there, removed_record_said
from lifecycle.forms import (
    AddressStatusForm,
    ArchiveAgeForm,
    NewIdentityForm,
    ShieldingForm,
    TransferDecisionForm,
    TransferRequestForm,
    TransferWithdrawForm,
)
from lifecycle.identity import IdentityDateRefused, IdentityRefused, new_identity_create
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import (
    RecordChangedSince,
    TransferRefused,
    address_status_record,
    receiving_local_authorities,
    transfer_accept,
    transfer_decline,
    transfer_not_changed_reason,
    transfer_request,
    transfer_view,
    transfer_view_audit,
    transfer_withdraw,
    transfers_list_audit,
    transfers_listed,
    transfers_viewed,
)
from lifecycle.services import ArchiveAgeRefused, archive_age_record
from lifecycle.shielding import shield_set

# Decided requests, and those this LA sent, shown beside every request waiting for its decision.
OTHER_TRANSFERS_SHOWN = 100


def _child(request: HttpRequest, child_id: UUID, action: Permission) -> Child:
    """The child, if the policy allows `action` (the role is checked first, so ids are not probed; then the
    child as on every page taking its id, `access.http.permitted_child`), and its record still readable: a
    record whose key a merge (or purge) shredded before failing is said to be removed (`RecordRemoved`,
    `removed_record_said`) before any form is offered on it; every answer to the form would seal or read
    under that key."""
    child = permitted_child(request, signed_in_user(request), child_id, action)
    record_still_there(child)
    return child


def _transfer(request: HttpRequest, transfer_id: UUID, action: Permission) -> Transfer:
    """The request, if the policy allows `action`, and its record still readable: not found if the record
    was merged away since, `RecordRemoved` (said in words, `removed_record_said`) if its key was shredded
    by a merge or purge that then failed. Judged before the page names the child, audits or seals."""
    actor = signed_in_user(request)
    require(actor=actor, action=action)
    transfer = get_object_or_404(
        Transfer.objects.select_related("child", "child__data_key", "from_la", "to_la"), pk=transfer_id
    )
    require(actor=actor, action=action, transfer=transfer)
    record_still_there(transfer.child)
    return transfer


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.TransferRequest)
@removed_record_said
def transfer_new(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """The owning LA team asks another LA to take over the record, giving a reason."""
    child = _child(request, child_id, Permission.TransferRequest)
    others = receiving_local_authorities(besides=child.local_authority_id)
    form = TransferRequestForm(request.POST or None, local_authorities=[(str(o.pk), o.name) for o in others])
    if request.method == "POST" and form.is_valid():
        to_la = others.get(pk=int(form.cleaned_data["to_la"]))
        try:
            transfer = transfer_request(
                child=child, to_la=to_la, by=signed_in_user(request), reason=form.cleaned_data["reason"]
            )
        except TransferRefused as refused:
            form.add_error("to_la", str(refused))
        else:
            messages.success(
                request, f"Transfer requested. {to_la.name} has been asked to take over the record."
            )
            return redirect("moves:transfer", transfer_id=transfer.pk)
    return render(request, "lifecycle/transfer_new.html", {"form": form, "child": child})


@login_required
@require_http_methods(["GET"])
def transfers(request: HttpRequest) -> HttpResponse:
    """Requests to and from this LA: pending ones to decide, and every outcome, for both teams."""
    actor = signed_in_user(request)
    require(actor=actor, action=Permission.TransferView)
    listed = transfers_listed(local_authority_id=actor.home_la_id or 0, others_shown=OTHER_TRANSFERS_SHOWN)
    transfers_list_audit(transfers=listed, by=actor)
    rows = transfers_viewed(listed, viewer_la_id=actor.home_la_id)
    incoming = [r for r in rows if r.transfer.to_la_id == actor.home_la_id]
    context = {
        "to_decide": [r for r in incoming if r.transfer.status == TransferStatus.PENDING],
        "others": [r for r in rows if r.transfer.status != TransferStatus.PENDING or r not in incoming],
    }
    return render(request, "lifecycle/transfers.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.TransferDecide)
@removed_record_said
def transfer(request: HttpRequest, transfer_id: UUID) -> HttpResponse:
    """One request: both teams see it; the receiving team accepts or declines it while it is pending (the
    sending team is offered to withdraw it instead)."""
    actor = signed_in_user(request)
    item = _transfer(request, transfer_id, Permission.TransferView)
    may_decide = decide(actor=actor, action=Permission.TransferDecide, transfer=item).allowed
    may_withdraw = decide(actor=actor, action=Permission.TransferWithdraw, transfer=item).allowed
    form = TransferDecisionForm(request.POST or None)
    if request.method == "POST":
        require(actor=actor, action=Permission.TransferDecide, transfer=item)
        if form.is_valid():
            if form.cleaned_data["decision"] == "accept":
                done = transfer_accept(transfer=item, by=actor)
                outcome = "Transfer accepted. The record now belongs to your local authority."
            else:
                done = transfer_decline(transfer=item, by=actor, reason=form.cleaned_data["decline_reason"])
                outcome = "Transfer declined. The other local authority's team can see your reason."
            if done:
                messages.success(request, outcome)
            else:  # withdrawn or decided first (a race the policy check could not see): say which
                messages.info(request, f"{transfer_not_changed_reason(item)}.")
            return redirect("moves:transfers")
    transfer_view_audit(transfer=item, by=actor)  # the page names the child, first look or shown again
    context = {
        "row": transfer_view(item, viewer_la_id=actor.home_la_id),
        "form": form,
        "may_decide": may_decide,
        "may_withdraw": may_withdraw,
    }
    return render(request, "lifecycle/transfer.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.TransferWithdraw)
@removed_record_said
def transfer_withdraw_page(request: HttpRequest, transfer_id: UUID) -> HttpResponse:
    """The sending team takes back a request still waiting, with a reason and a confirmation: sent in
    error, or to an LA that closed since (nobody there can decide it), it would block the child for ever."""
    actor = signed_in_user(request)
    item = _transfer(request, transfer_id, Permission.TransferWithdraw)
    form = TransferWithdrawForm(request.POST if request.method == "POST" else None)  # empty: errors
    if form.is_valid():
        try:
            transfer_withdraw(transfer=item, by=actor, reason=form.cleaned_data["reason"])
        except TransferRefused as refused:  # decided by the receiving team since the policy check
            messages.info(request, f"{refused}.")
        else:
            messages.success(
                request,
                f"Transfer request withdrawn. {item.to_la.name} can no longer accept it, "
                "and the record can be transferred again.",
            )
        return redirect("moves:transfer", transfer_id=item.pk)
    transfer_view_audit(transfer=item, by=actor)  # the page names the child, first look or shown again
    context = {"row": transfer_view(item, viewer_la_id=actor.home_la_id), "form": form}
    return render(request, "lifecycle/transfer_withdraw.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.AddressStatusRecord)
@removed_record_said
def address(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """The owning LA team records an address, "no known address", or "left England"."""
    child = _child(request, child_id, Permission.AddressStatusRecord)
    form = AddressStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            address_status_record(
                child=child,
                by=signed_in_user(request),
                status=data["status"],
                lines=form.address_lines(),
                postcode=data["postcode"] or None,
                return_intention=data["return_intention"] or None,
            )
        except RecordChangedSince as changed:
            form.add_error(None, f"{changed}: nothing was changed")
        else:
            messages.success(request, "Address status recorded.")
            return redirect("children:record", child_id=child.pk)
    return render(request, "lifecycle/address.html", {"form": form, "child": child})


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.NewIdentityCreate)
@removed_record_said
def new_identity(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """Close this record and create a separate one under the new identity (confirmation and category).

    Step-up first: this closes a record for good. The answer never names or links to the new record:
    the team finds it by searching for the new identity.
    """
    child = _child(request, child_id, Permission.NewIdentityCreate)
    if stale := step_up(request):
        return stale
    form = NewIdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new_identity_create(
                old=child,
                by=signed_in_user(request),
                category=data["category"],
                details=form.details(),
                shielded=data["shielded"],
            )
        except IdentityRefused:
            form.add_error(None, "This record has already been closed, or moved to another local authority")
        except IdentityDateRefused as refused:
            form.add_error("dob_day", str(refused))
        else:
            # Neither record is named here: the team opens the new one by searching for it.
            messages.success(
                request,
                "The record has been closed and a new record created. "
                "Search for the child under the new identity to open the new record.",
            )
            return redirect("children:search")
    return render(request, "lifecycle/new_identity.html", {"form": form, "child": child})


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.ShieldSet)
@removed_record_said
def shielding(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """The owning LA team applies or lifts shielding, with a reason (sealed) and a confirmation.

    Step-up first, as for a new identity: lifting a shield shows a protected child's address to every
    practitioner who finds the record.
    """
    child = _child(request, child_id, Permission.ShieldSet)
    if stale := step_up(request):
        return stale
    form = ShieldingForm(request.POST or None, shielded=child.shielded)
    if request.method == "POST" and form.is_valid():
        # The change the page asked for, not the opposite of the record's state now: sent twice, or after
        # a colleague made it, it changes nothing (`shield_set` answers False) instead of undoing it.
        wanted = form.shielded_wanted()
        lifting = not wanted
        try:
            changed = shield_set(
                child=child,
                by=signed_in_user(request),
                shielded=wanted,
                reason=form.cleaned_data["reason"],
            )
        except RecordChangedSince as changed_since:
            form.add_error(None, f"{changed_since}: nothing was changed")
        else:
            if changed:
                messages.success(
                    request, "The shielding has been lifted" if lifting else "The record is now shielded"
                )
            else:
                messages.info(request, "A colleague changed the shielding first: nothing was changed.")
            return redirect("children:record", child_id=child.pk)
    return render(request, "lifecycle/shielding.html", {"form": form, "child": child})


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.ArchiveAgeRecord)
@removed_record_said
def archive_age(request: HttpRequest, child_id: UUID) -> HttpResponse:
    """The owning LA team records how long the record is kept: to 18, or with the young person's consent
    to a later age up to 25 (`lifecycle.services.archive_age_record`, audited with the age)."""
    child = _child(request, child_id, Permission.ArchiveAgeRecord)
    form = ArchiveAgeForm(request.POST or None, initial={"age": child.archive_age})
    if request.method == "POST" and form.is_valid():
        age = form.cleaned_data["age"]
        try:
            changed = archive_age_record(child=child, age=age, by=signed_in_user(request))
        except ArchiveAgeRefused as refused:
            form.add_error(None, f"This record cannot be changed now: {refused}. Nothing was changed")
        except RecordChangedSince as changed_since:
            form.add_error(None, f"{changed_since}: nothing was changed")
        else:
            if not changed:
                messages.info(request, f"The record is already kept until {age}: nothing was changed.")
            elif age > ARCHIVE_AGE_DEFAULT:
                messages.success(request, f"This record will be kept until the young person is {age}.")
            else:
                messages.success(request, "This record will be archived when the young person turns 18.")
            return redirect("children:record", child_id=child.pk)
    return render(request, "lifecycle/archive_age.html", {"form": form, "child": child})
