"""A child moving: from one LA to another by request and acceptance, or out of view of any address.

Transfers: the owning LA team asks, the receiving LA team accepts or declines. Accepting is one
transaction whose first statement is an UPDATE guarded on `status = pending`: of two accepts (or an
accept and a decline) racing on PostgreSQL, the second waits for the first's row lock, re-reads the
row, finds it no longer pending and changes nothing. The record's LA moves in that same transaction,
guarded on the LA it was asked from, so a record that moved some other way is never moved twice.
While it waits, the owning team may withdraw the request instead (sent in error, or to an LA that has
closed since, whose team can never decide it): the withdrawal reads the row `SELECT ... FOR UPDATE`,
so it and a decision racing it take the same row lock in turn; whichever is second finds the request
no longer pending and changes nothing (the decision's guarded UPDATE re-reads the row after the lock).

Address statements: an address, "no known address", or "left England" with the intention to return.
The statement replaces the address, and the blocking keys are rebuilt through
`children.services.child_details_update`, which keeps the old postcode among the child's former ones
(sealed, never shown): a practitioner holding the old address still finds the child by it, told that it
matched a previous address, and a shielded child is never found by any postcode, current or former.

Who decides is judged twice: by the policy at the start of the request, and again as the first statement
of the writing transaction, on the account's row as locked and its organisation held
(`accounts.services.actor_able_locked`): one closed or suspended in between (on a misuse alert, say), or
cut off (its organisation de-accredited or closed, its vetting lapsed), writes nothing (`ActorCannotAct`,
answered by the page with the audited refusal saying why, signed out).
"""

from dataclasses import dataclass
from functools import partial
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from accounts.directory import open_organisations, organisation_closed_on_held
from accounts.models import Organisation, OrganisationKind, User
from accounts.services import actor_able_locked, actor_vetted_held
from audit.services import event_record
from audit.tags import AuditTag
from children.key_locks import children_keys_lock
from children.merged_away import RecordRemoved, opened_unless_merged_away
from children.models import Child, RecordStatus
from children.records import Address, AddressStatus, ReturnIntention
from children.selectors import child_details
from children.services import child_details_update, child_rows_locked
from lifecycle.models import Transfer, TransferStatus
from oversight.services import alerts_follow_child
from vault.models import DataKey
from vault.sealing import note_seal, note_unseal

TRANSFER_REASON_CONTEXT = "transfer-reason"
DECLINE_REASON_CONTEXT = "transfer-decline"
WITHDRAWAL_REASON_CONTEXT = "transfer-withdrawal"


# Sent inside the transaction that accepted a transfer, once the record has moved, with `child_id`,
# `from_la_id` and `to_la_id`. Receivers move what was waiting for the old LA's team about the child, that
# only the team holding the child may decide (linkage: a shielded hold), and return the ids of what they
# moved (strings), which the accept's audit event lists. Lifecycle may not import the floors above it.
transfer_accepted = Signal()


# Said when the record a page read has been merged into another since (the merge deleted it).
MERGED_SINCE = "This record has been merged into another since you opened it"


class TransferRefused(ValueError):
    """The request cannot be made or decided as asked; the message says why, in words for the page."""


def receiving_local_authorities(*, besides: int) -> QuerySet[Organisation]:
    """The LAs a record may be sent to: open and accredited, so that their team can decide (the policy
    refuses every member of a closed or unaccredited organisation), and not the LA `besides` (its own).

    A request to any other would wait for a decision nobody can make, and while it waits the owning
    team can neither take it back nor ask another LA (one waiting request a child).
    """
    today = timezone.localdate()
    return (
        open_organisations()
        .filter(kind=OrganisationKind.LOCAL_AUTHORITY, accredited_on__lte=today)
        .exclude(pk=besides)
    )


def transfer_request(*, child: Child, to_la: Organisation, by: User, reason: str) -> Transfer:
    """Ask `to_la` to take over `child`'s record. The policy has checked `by` is the owning LA team."""
    if not receiving_local_authorities(besides=child.local_authority_id).filter(pk=to_la.pk).exists():
        raise TransferRefused("Select a different local authority")
    try:
        with transaction.atomic():
            actor_able_locked(by)  # the decider as they are now, before anything else is locked
            # Re-read under the row lock: accepted by another LA since the page read it, the record is no
            # longer `by`'s LA's to send on (nor to leave a request "from" it pending). Merged into another
            # since, it is gone and its key shredded: refused in words, and the reason sealed only now,
            # under the key of the row as locked.
            locked = child_rows_locked().filter(pk=child.pk).first()
            if locked is None:
                raise TransferRefused(MERGED_SINCE + ": nothing was changed")
            if locked.local_authority_id != child.local_authority_id or locked.status != RecordStatus.ACTIVE:
                raise TransferRefused("This record is no longer an active record of your local authority")
            transfer = Transfer(
                child=locked,
                from_la_id=locked.local_authority_id,
                to_la=to_la,
                raised_by=by,
                reason_sealed=note_seal(locked.data_key, context=TRANSFER_REASON_CONTEXT, text=reason),
            )
            transfer.save()
            event_record(
                tag=AuditTag.TransferRequested,
                actor=by,
                child_id=child.pk,
                additional={
                    "transfer_id": str(transfer.pk),
                    "from_la_id": child.local_authority_id,
                    "to_la_id": to_la.pk,
                },
            )
    except IntegrityError as error:
        raise TransferRefused("A transfer of this record is already waiting for a decision") from error
    return transfer


def _decided(transfer_id: UUID, *, to: str, by: User, decline_reason_sealed: str = "") -> bool:
    """Move the request from pending to `to`, or do nothing if it is not pending any more."""
    updated = Transfer.objects.filter(pk=transfer_id, status=TransferStatus.PENDING).update(
        status=to, decided_by=by, decided_at=timezone.now(), decline_reason_sealed=decline_reason_sealed
    )
    return updated == 1


def _receiving_la_open_locked(transfer: Transfer) -> bool:
    """Lock the receiving LA's row and read it again: may it still take the record over?

    The row is held as every writer allocating children holds it (`organisation_closed_on_held`): a close
    in progress is waited for, and a close waits for this accept to commit and then counts the record it
    moved. Then the LA is judged as the request page judged it (open, accredited, not the sender).
    """
    organisation_closed_on_held(transfer.to_la_id)
    return receiving_local_authorities(besides=transfer.from_la_id).filter(pk=transfer.to_la_id).exists()


def transfer_accept(*, transfer: Transfer, by: User) -> bool:
    """Accept: the record's LA becomes the receiving LA. False (nothing changed) if already decided, or
    if the receiving LA has closed since the page's policy check (`_receiving_la_open_locked`).

    What waits on the child for the old team alone follows it (`transfer_accepted`). The child's key locks
    come first, as a shield's do (`children.key_locks`): a feed row finding the child decides before
    this accept (and its shielded hold, committed, follows the child) or after it (and is held for the
    new LA), never in between, holding the child for a team that no longer has it. Then the receiving
    LA's row (held as every writer allocating children holds it), the child's row, and the transfer."""
    with transaction.atomic():
        # The decider as they are now, before anything else is locked: closed or suspended here; the rest
        # of their vetting once the receiving LA is judged, so a team whose own LA closed since is told
        # that (False), as before, rather than refused as cut off.
        actor_able_locked(by, closed_or_suspended_only=True)
        children_keys_lock([transfer.child_id])
        if not _receiving_la_open_locked(transfer):
            return False
        actor_vetted_held(by)  # de-accredited, closed or lapsed since: `ActorCannotAct`, nothing written
        # The child's row before the transfer's, the order a request takes them (the row, then the insert
        # that waits on this pending transfer): the other order deadlocked an accept with a request made
        # meanwhile, each holding what the other waited for.
        child_rows_locked().filter(pk=transfer.child_id).first()
        if not _decided(transfer.pk, to=TransferStatus.ACCEPTED, by=by):
            return False
        moved = Child.objects.filter(
            pk=transfer.child_id, local_authority_id=transfer.from_la_id, status=RecordStatus.ACTIVE
        ).update(local_authority_id=transfer.to_la_id, updated_at=timezone.now())
        if moved != 1:
            # The record is no longer the sending LA's active record: undo the decision as well.
            transaction.set_rollback(True)
            return False
        additional = {
            "transfer_id": str(transfer.pk),
            "from_la_id": transfer.from_la_id,
            "to_la_id": transfer.to_la_id,
        }
        if followed := _followed(transfer):
            additional["reviews_followed"] = followed
        # Waiting break-glass alerts about the child are the team's now holding it (ids audited apart).
        alerts_follow_child(
            child_id=transfer.child_id,
            from_la_id=transfer.from_la_id,
            to_la_id=transfer.to_la_id,
            transfer_id=transfer.pk,
            by=by,
        )
        event_record(
            tag=AuditTag.TransferAccepted, actor=by, child_id=transfer.child_id, additional=additional
        )
    return True


def _followed(transfer: Transfer) -> list[str]:
    """Send `transfer_accepted`; the ids of what its receivers moved to the new LA, sorted."""
    answers = transfer_accepted.send(
        sender=Transfer,
        child_id=transfer.child_id,
        from_la_id=transfer.from_la_id,
        to_la_id=transfer.to_la_id,
    )
    return sorted(moved for _, ids in answers for moved in ids or [])


def transfer_decline(*, transfer: Transfer, by: User, reason: str) -> bool:
    """Decline with a reason (sealed under the child's key). False (nothing changed) if already decided."""
    sealed = note_seal(transfer.child.data_key, context=DECLINE_REASON_CONTEXT, text=reason)
    with transaction.atomic():
        actor_able_locked(by)  # the decider as they are now, before anything else is locked
        if not _decided(transfer.pk, to=TransferStatus.DECLINED, by=by, decline_reason_sealed=sealed):
            return False
        event_record(
            tag=AuditTag.TransferDeclined,
            actor=by,
            child_id=transfer.child_id,
            additional={"transfer_id": str(transfer.pk), "to_la_id": transfer.to_la_id},
        )
    return True


def transfer_withdraw(*, transfer: Transfer, by: User, reason: str) -> None:
    """Take back a waiting request (the policy has checked `by` is the sending LA's team), with a reason
    sealed under the child's key. The child may be asked for again at once (one *pending* request a
    child). Refused, changing nothing, if the receiving team decided it first (or it was withdrawn)."""
    sealed = note_seal(transfer.child.data_key, context=WITHDRAWAL_REASON_CONTEXT, text=reason)
    with transaction.atomic():
        actor_able_locked(by)  # the decider as they are now, before anything else is locked
        # The page's copy was pending when the policy saw it; a decision may have been saved since, or be
        # saving now: re-read under the row lock (waiting for that decision's transaction to end).
        locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if locked.status != TransferStatus.PENDING:
            raise TransferRefused(_already(locked.status))
        locked.status = TransferStatus.WITHDRAWN
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.withdrawal_reason_sealed = sealed
        locked.save(update_fields=["status", "decided_by", "decided_at", "withdrawal_reason_sealed"])
        event_record(
            tag=AuditTag.TransferWithdrawn,
            actor=by,
            child_id=transfer.child_id,
            additional={"transfer_id": str(transfer.pk), "to_la_id": transfer.to_la_id},
        )


def _already(status: str) -> str:
    """Why a request no longer waiting cannot be withdrawn or decided, in words for the page."""
    if status == TransferStatus.WITHDRAWN:
        return "The local authority that sent this request has withdrawn it: nothing was changed"
    outcome = "accepted" if status == TransferStatus.ACCEPTED else "declined"
    return f"This request has already been {outcome} by the receiving local authority: nothing was changed"


def transfer_not_changed_reason(transfer: Transfer) -> str:
    """Why a decision changed nothing, read again after it: withdrawn or decided first by someone else,
    or (still pending) the receiving LA has closed, or the record is no longer the sending LA's active
    record."""
    status = Transfer.objects.values_list("status", flat=True).get(pk=transfer.pk)
    closed = (
        not receiving_local_authorities(besides=transfer.from_la_id).filter(pk=transfer.to_la_id).exists()
    )
    if status == TransferStatus.PENDING and closed:
        return "Your local authority has been closed: it can no longer take over records, and nothing was changed"
    if status == TransferStatus.PENDING:
        return "The record is no longer an active record of the local authority that sent it: nothing was changed"
    return _already(status)


def transfers_for_la(*, local_authority_id: int) -> QuerySet[Transfer]:
    """Requests this LA sent or received, newest first: both teams see the request and its outcome.

    Requests about closed or archived records are left out: a closed identity is not shown anywhere
    once closed, and an archived record is the data manager's alone (its requests would name the child).
    """
    return (
        Transfer.objects.filter(Q(from_la_id=local_authority_id) | Q(to_la_id=local_authority_id))
        .filter(child__status=RecordStatus.ACTIVE)
        .select_related("child", "child__data_key", "from_la", "to_la", "raised_by", "decided_by")
    )


def transfers_listed(*, local_authority_id: int, others_shown: int) -> list[Transfer]:
    """What the LA's transfers page lists: every request still waiting, sent or received, then the newest
    `others_shown` of the rest. Capping the whole list pushed an old waiting request past the newest
    decided ones: a received one was never decided, a sent one could never be withdrawn (the page is the
    way to it), and either way the child could not be asked for again."""
    mine = transfers_for_la(local_authority_id=local_authority_id)
    waiting = Q(status=TransferStatus.PENDING)
    return [*mine.filter(waiting), *mine.exclude(waiting)[:others_shown]]


@dataclass(frozen=True)
class TransferView:
    """One request as the two LA teams see it: who the child is (name, date of birth, index number),
    whether the record is shielded (the receiving team must know before accepting), never the address.

    `withheld`: who the child is, left out (blank), see `transfer_view`. `removed`: the record's key was
    shredded (a merge or purge that then failed), so nothing of it, the reasons included, can be read."""

    transfer: Transfer
    child_name: str
    date_of_birth: str
    reason: str
    decline_reason: str
    withdrawal_reason: str
    withheld: bool = False
    removed: bool = False

    @property
    def shielded(self) -> bool:
        return self.transfer.child.shielded


def transfer_view(transfer: Transfer, *, viewer_la_id: int | None) -> TransferView:
    """The request in words (decrypted for this response only), as the team of `viewer_la_id` sees it.

    The page names the child by what the record holds now. Once the request is no longer waiting, a
    shielded child is named only to the team holding the record: the team it left (or the one that
    declined it) would otherwise learn, from an old request, the name a shielded family took since,
    which no search by the former name gives anyone (`matching`: a shielded child's former names are
    hidden keys). While it waits, both teams see who it is: the receiving team must, to decide.
    """
    child = transfer.child
    key = child.data_key
    withheld = (
        child.shielded
        and transfer.status != TransferStatus.PENDING
        and child.local_authority_id != viewer_la_id
    )
    if withheld:
        name, born = "", ""
    else:
        details = child_details(child)
        name, born = details.full_name, f"{details.date_of_birth.day} {details.date_of_birth:%B %Y}"
    return TransferView(
        transfer=transfer,
        child_name=name,
        date_of_birth=born,
        withheld=withheld,
        reason=note_unseal(key, context=TRANSFER_REASON_CONTEXT, sealed=transfer.reason_sealed),
        decline_reason=_opened(key, DECLINE_REASON_CONTEXT, transfer.decline_reason_sealed),
        withdrawal_reason=_opened(key, WITHDRAWAL_REASON_CONTEXT, transfer.withdrawal_reason_sealed),
    )


def transfers_viewed(transfers: list[Transfer], *, viewer_la_id: int | None) -> list[TransferView]:
    """Each listed request as `transfer_view` shows it, for a page listing many. A record whose own key was
    shredded by a merge (or purge) that then failed, its rows waiting for the nightly run or a person
    (`children.merged_away.RecordRemoved`), is listed without the child or the reasons, which died with its
    key; one merged away since the list was read is left off. One such record must not make both LA teams'
    whole page (and every request waiting on it) a server error."""
    rows = []
    for transfer in transfers:
        try:
            row = opened_unless_merged_away(
                transfer.child_id, partial(transfer_view, transfer, viewer_la_id=viewer_la_id)
            )
        except RecordRemoved:
            row = TransferView(
                transfer=transfer,
                child_name="",
                date_of_birth="",
                reason="",
                decline_reason="",
                withdrawal_reason="",
                removed=True,
            )
        if row is not None:
            rows.append(row)
    return rows


def _opened(key: DataKey, context: str, sealed: str) -> str:
    """A reason given only at a request's end (declined, withdrawn): blank while there is none."""
    return note_unseal(key, context=context, sealed=sealed) if sealed else ""


def transfer_view_audit(*, transfer: Transfer, by: User) -> None:
    """A look at one request names the child to a team that may not hold it yet: audited like a view."""
    event_record(
        tag=AuditTag.TransferViewed,
        actor=by,
        child_id=transfer.child_id,
        additional={"transfer_id": str(transfer.pk)},
    )


def transfers_list_audit(*, transfers: list[Transfer], by: User) -> None:
    """The list names each child (to a team that may not hold the record yet): one event per child named."""
    with transaction.atomic():
        for child_id in dict.fromkeys(t.child_id for t in transfers):
            event_record(tag=AuditTag.TransfersListed, actor=by, child_id=child_id)


class RecordChangedSince(ValueError):
    """The record moved to another LA, or was archived or closed, after the caller's policy check saw it:
    that check no longer holds, so nothing is written; the message says so, in words for the page."""


def team_record_locked(child: Child) -> Child:
    """`child`'s row, locked FOR UPDATE to the end of the transaction (`child_rows_locked`), when it is still
    the active record of the LA the caller's policy check saw; otherwise `RecordChangedSince`, nothing locked
    that matters. Every owning-team change to a record (address, shielding, archive age) re-reads it here,
    so the three refuse alike: merged into another since (which deletes it), archived or closed by the
    nightly run, or accepted by another LA, each after that check read `child`."""
    stored = child_rows_locked().filter(pk=child.pk).first()
    if stored is None:
        raise RecordChangedSince(MERGED_SINCE)
    if stored.status != RecordStatus.ACTIVE:
        raise RecordChangedSince("This record has been archived or closed since you opened it")
    if stored.local_authority_id != child.local_authority_id:
        raise RecordChangedSince("This record has moved to another local authority")
    return stored


def address_status_record(
    *,
    child: Child,
    by: User,
    status: str,
    lines: list[str] | None = None,
    postcode: str | None = None,
    return_intention: str | None = None,
) -> None:
    """Record the child's address, "no known address", or "left England" (with the intention to return).

    The previous address is replaced; only its postcode is kept, as a former one (see the module
    docstring), so a search on it finds the child as "postcode matches a previous address".
    """
    if status == AddressStatus.KNOWN:
        if not lines or not postcode:
            raise ValueError("a known address needs its lines and postcode")
        address = Address(status=status, lines=lines, postcode=postcode)
    elif status == AddressStatus.LEFT_ENGLAND:
        if return_intention not in ReturnIntention.LABELS:
            raise ValueError("left England needs the intention to return")
        address = Address(status=status, return_intention=return_intention)
    elif status == AddressStatus.NO_KNOWN_ADDRESS:
        address = Address(status=status)
    else:
        raise ValueError(f"unknown address status {status!r}")
    with transaction.atomic():
        actor_able_locked(by)  # the decider as they are now, before anything else is locked
        # The caller's policy check saw `child` as the team's active record; another LA may have accepted
        # it since (or the archive job archived it): re-read under the row's lock before writing.
        team_record_locked(child)
        details = child_details(child)
        details.address = address
        child_details_update(
            child=child, details=details, columns=["address"], by=by, tag=AuditTag.AddressStatusRecorded
        )
