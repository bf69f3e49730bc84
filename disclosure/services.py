"""Writes of a disclosure export: request, decide, and count a download. Each is audited.

The rules on who may do each step are the policy's (`access.policy`, Permission.DisclosureExport*);
these functions enforce only the state machine (pending -> approved | refused; approved -> used
or expired), so a second approval, a download of a refused request or a third download cannot happen
however a page is reached. The reference and the decision reason (free text) are sealed under the
export's own data key, never stored or audited in clear.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.services import actor_able_locked, actor_vetted_held
from audit.services import event_record
from audit.tags import AuditTag
from children.merged_away import key_opens
from children.models import Child
from children.services import child_rows_locked
from disclosure.fields import EXPORT_FIELDS
from disclosure.models import DisclosureExport, ExportStatus
from oversight.misuse import export_screen
from rowlocks.held import Strength, row_held
from vault.crypto import KeyRevoked
from vault.keys import KeyShredded, data_key_build
from vault.sealing import Sealer


class Availability(StrEnum):
    """Whether the approved file can be produced now, and if not, why not (the page says which)."""

    PENDING = "pending"
    REFUSED = "refused"
    READY = "ready"
    EXPIRED = "expired"
    USED = "used"
    WITHDRAWN = "withdrawn"  # the colleague who approved it can no longer approve exports


# Each is refused at the download like an expired export: 410, the attempt audited, nothing released.
GONE = frozenset({Availability.EXPIRED, Availability.USED, Availability.WITHDRAWN})


class NotDownloadable(Exception):
    def __init__(self, availability: Availability) -> None:
        super().__init__(availability)
        self.availability = availability


class AlreadyDecided(Exception):
    """A request is approved or refused once; a second decision is refused by the state, not the page."""

    message = "This request has already been decided."


class ExportNotesDestroyed(AlreadyDecided):
    """A child the request names was purged, and the request's reference with it (`disclosure.retention`):
    the approver can no longer see what they would approve, and no reason can be sealed under the
    request's key, so it is never decided. Also when the purge failed after revoking that key (its notes
    not yet blanked): the key no longer opens all the same."""

    message = (
        "This request can no longer be decided: a child it named was purged, and its reference with it. "
        "Request a new export if the details are still needed."
    )


def _child_ids(export: DisclosureExport) -> list[str]:
    return sorted(str(pk) for pk in export.children.values_list("pk", flat=True))


def _summary(export: DisclosureExport) -> dict[str, object]:
    """What every event of an export carries: ids and codes, never a value from a record."""
    return {
        "export_id": str(export.pk),
        "lawful_basis": export.lawful_basis,
        "fields": list(export.fields),
        "child_ids": _child_ids(export),
    }


def export_request(
    *,
    by: User,
    local_authority: Organisation,
    lawful_basis: str,
    reference: str,
    children: Sequence[Child],
    fields: Sequence[str],
) -> DisclosureExport:
    """Record a request; the form has already checked the children (own LA, capped) and the fields."""
    unknown = [key for key in fields if key not in EXPORT_FIELDS]
    if unknown or not fields:
        raise ValueError(f"fields outside the allow-list: {unknown}")
    if not 0 < len(children) <= settings.DISCLOSURE_EXPORT_MAX_CHILDREN:
        raise ValueError("an export names between one child and the cap")
    if any(child.local_authority_id != local_authority.pk for child in children):
        raise ValueError("an export names its own LA's children only")
    ordered = [key for key in EXPORT_FIELDS if key in fields]
    with transaction.atomic():
        data_key, dek = data_key_build()
        data_key.save()
        export = DisclosureExport(
            local_authority=local_authority,
            requested_by=by,
            lawful_basis=lawful_basis,
            fields=ordered,
            data_key=data_key,
        )
        Sealer(data_key, dek).seal_all(export, {"reference": reference, "decision_reason": ""})
        export.save()
        export.children.set(children)
        event_record(tag=AuditTag.DisclosureExportRequested, actor=by, additional=_summary(export))
        # The cap is per export: many small exports by one person are counted by a misuse rule.
        export_screen(user=by)
    return export


def export_decide(*, export: DisclosureExport, by: User, approve: bool, reason: str) -> DisclosureExport:
    """Approve (the expiry clock starts now) or refuse, once. The policy has ruled out the requester.

    `ExportNotesDestroyed`, nothing written, once a child it names was purged (its notes shredded, or its
    key revoked by a purge that then failed): there is no reference to check and nothing to seal under."""
    with transaction.atomic():
        locked = DisclosureExport.objects.select_for_update().get(pk=export.pk)
        if locked.status != ExportStatus.PENDING:
            raise AlreadyDecided
        if locked.notes_shredded_at is not None:
            raise ExportNotesDestroyed
        now = timezone.now()
        locked.status = ExportStatus.APPROVED if approve else ExportStatus.REFUSED
        locked.decided_by = by
        locked.decided_at = now
        try:
            Sealer(locked.data_key).seal(locked, "decision_reason", reason)
        except (KeyRevoked, KeyShredded):
            if key_opens(locked.data_key):  # another key refused: a real fault, raised as it was
                raise
            raise ExportNotesDestroyed from None
        locked.expires_at = now + settings.DISCLOSURE_EXPORT_VALID_FOR if approve else None
        locked.save()
        tag = AuditTag.DisclosureExportApproved if approve else AuditTag.DisclosureExportRefused
        event_record(tag=tag, actor=by, additional=_summary(locked))
    return locked


ApprovalStands = Callable[[DisclosureExport], bool]
"""Could the export's approver still approve it? The access policy answers
(`access.policy.export_approval_stands`); the pages pass it in, as this floor sits below the policy."""


def export_availability(export: DisclosureExport, *, approval_stands: ApprovalStands) -> Availability:
    """Where the export stands. An approval stands only while its approver could still approve it: the
    second pair of eyes is the control, so a colleague suspended (perhaps for the misuse this pair was
    caught at), closed, moved to another LA or out of the LA team since approving no longer vouches for
    the file, whose 7 days would otherwise outlive the suspension (`WITHDRAWN`, asked again at every
    download, as the requester's own vetting is)."""
    if export.status == ExportStatus.PENDING:
        return Availability.PENDING
    if export.status == ExportStatus.REFUSED:
        return Availability.REFUSED
    if export.downloads >= settings.DISCLOSURE_EXPORT_MAX_DOWNLOADS:
        return Availability.USED
    if export.expires_at is None or timezone.now() >= export.expires_at:
        return Availability.EXPIRED
    if not approval_stands(export):
        return Availability.WITHDRAWN
    return Availability.READY


def export_view_audit(*, export: DisclosureExport, by: User) -> None:
    """A request's page names its children (index numbers) and shows its reference: audited with ids.

    No child id: a look at a request is not a look at a record; an auditor finds it by `child_ids`."""
    event_record(
        tag=AuditTag.DisclosureExportViewed,
        actor=by,
        additional={"export_id": str(export.pk), "child_ids": _child_ids(export)},
    )


def exports_list_audit(*, exports: Sequence[DisclosureExport], by: User) -> None:
    """The list shows each request's reference (decrypted): one event naming the requests shown."""
    if exports:
        event_record(
            tag=AuditTag.DisclosureExportsListed,
            actor=by,
            additional={"export_ids": [str(export.pk) for export in exports]},
        )


def _named_children_locked(export: DisclosureExport) -> list[Child]:
    """The children the export names, their rows locked in id order, as named once the locks are held.

    A merge holding a named child's row names its survivor on the export and deletes the duplicate: the
    lock waited for is then on a row gone, so the names are read again (a new statement sees the merge)
    until every child named is locked, as a download after the merge would have found them."""
    while True:
        named = set(export.children.values_list("pk", flat=True))
        children = list(child_rows_locked().filter(pk__in=named).order_by("pk"))
        if {child.pk for child in children} == named:
            return children


def _row_held_for_share(model: type[User] | type[Organisation], pk: int) -> None:
    """Hold one row FOR SHARE to the end of the transaction (PostgreSQL; SQLite has no row locks and
    serialises writers, so there the row is only read again after).

    Not FOR KEY SHARE: that lets an update of the row's other columns through (a suspension, a close, a
    move, `closed_on` written), which is every change that would withdraw an approval. Other releases
    and rows naming this one (their foreign key takes KEY SHARE) are not held up."""
    row_held(model, pk, strength=Strength.SHARE)


def _approver_read(user_id: int) -> User:
    """The approver's account, read with its organisation once that row too is held FOR SHARE.

    Called with the account's row held already (`_accounts_held`), so its organisation cannot change
    before it is locked: a close of that organisation (a separate row; the policy refuses everyone in a
    closed organisation, so the approval falls with it) then waits for the release, or the release waits
    for it and sees it."""
    organisation_id = User.objects.filter(pk=user_id).values_list("organisation_id", flat=True).get()
    if organisation_id is not None:
        _row_held_for_share(Organisation, organisation_id)
    return User.objects.select_related("organisation").get(pk=user_id)


def _accounts_held(*, by: User, approver_id: int | None) -> User | None:
    """Lock the downloader's row and hold the approver's, in id order, then the approver's organisation's;
    return the approver as read after the locks (None for an export never decided).

    The downloader is found able to act (`actor_able_locked`, FOR NO KEY UPDATE: `ActorCannotAct` if
    suspended or closed since the request's own check; the rest of their vetting is judged by the release,
    after the approval, `actor_vetted_held`). The approver's row is held FOR SHARE: the release asks whether the approval still stands and then
    builds, counts and audits the file, and a suspension, close or move of the approver (each locks the
    row to write it) committing between the two would let the file out under an approval that no longer stood; now it waits for the release, or the
    release waits for it and sees it (a withdrawn approval). Id order, as every account change locks two
    accounts (`accounts.services._accounts_locked`): two releases whose requester and approver are each
    other's approver and requester wait for one another instead of deadlocking, and so do a download and
    its approver suspending its downloader. The organisations come after both accounts.

    One account in both parts (never by the policy, which keeps the requester from approving) is locked
    FOR NO KEY UPDATE alone: that already holds off every change FOR SHARE would (and a FOR SHARE by the
    same transaction after it would wait for nobody on PostgreSQL).
    """
    if approver_id is None:
        actor_able_locked(by, closed_or_suspended_only=True)
        return None
    for pk in sorted({by.pk, approver_id}):
        if pk == by.pk:
            actor_able_locked(by, closed_or_suspended_only=True)
        else:
            _row_held_for_share(User, pk)
    return _approver_read(approver_id)


# Why a file withheld a child's approved fields (codes, never a value from the record): a reason the
# access policy gave for not carrying the child (`archived`, `closed`, `other_la`), or one of these.
WITHHELD_REMOVED = "removed"  # its key shredded by a merge or purge that then failed: nothing can be read
WITHHELD_SHIELDED = "shielded"  # a shielded record: only what any practitioner sees of it is carried


@dataclass(frozen=True)
class Withheld:
    """What a file withheld of one child's approved fields (the cells say "Withheld: ..."), and why."""

    reason: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Built:
    """A file as built, with what it withheld by child id: a child not named there had every approved
    field carried. The builder judges each child once, and the release audits that same judgement."""

    file: bytes
    withheld: Mapping[Any, Withheld]


Builder = Callable[[DisclosureExport, list[Child]], Built]


@dataclass(frozen=True)
class Released:
    """An export whose download has been counted and audited, with the file built from the children
    as the release read them (`file`)."""

    export: DisclosureExport
    children: list[Child]
    file: bytes


def _download_event(
    summary: dict[str, object], fields: list[str], withheld: Withheld | None
) -> dict[str, object]:
    """One child's download event: the export's summary, and what the file carried of this child: the
    approved fields it released, those it withheld, and the reason code (None when nothing was withheld).
    The index number is in every row, so a child wholly withheld is still named by the file."""
    held_back = [key for key in fields if withheld is not None and key in withheld.fields]
    return {
        **summary,
        "released_fields": [key for key in fields if key not in held_back],
        "withheld_fields": held_back,
        "withheld_reason": withheld.reason if withheld is not None else None,
    }


def export_release(
    *,
    export: DisclosureExport,
    by: User,
    approval_stands: ApprovalStands,
    build: Builder | None = None,
) -> Released:
    """Count one download, build the file, audit it against every child named, or say why not.

    One event per child (with the export id) puts the disclosure in each child's access report and
    subject access report, saying which of the approved fields the file released for that child and
    which it withheld, and why (`Built.withheld`, the builder's own judgement); a file naming no child
    any more (each purged since) is audited once, against the export alone. A too-late or used-up
    attempt is audited too, then refused. Never released without a `build`: a ready export with none
    (`NotDownloadable`, `READY`) is neither counted nor audited, as there is no file to hand over (the
    page goes on without a passphrase only to have a gone export refused, and the approval can stand
    again by the time the release reads it).

    The downloader, the approver and the approver's organisation are locked first (`_accounts_held`): a
    suspension or close of any of them committing before is seen (`ActorCannotAct` for the downloader's
    own, a withdrawn approval for the approver's), and one arriving after waits until the file has gone.
    A downloader cut off otherwise (their organisation de-accredited or closed, their vetting lapsed) is
    found before anything is counted (`actor_vetted_held`, their organisation held): `ActorCannotAct`.

    The file is built (`build`) in the same transaction, with the children's rows locked, so it carries
    each child exactly as the release audited them: a shield applied or a service recorded an instant
    after the count waits for the download instead of slipping into a file built after the commit. A
    build that fails rolls the count and the events back: nothing was released.
    """
    with transaction.atomic():
        # FOR NO KEY UPDATE: it serialises downloads and decisions as FOR UPDATE would, but lets a merge
        # holding a child's row name its survivor on the export (a row referring to this one takes FOR
        # KEY SHARE on it) instead of closing a circle with the rows this release waits for below.
        locked = DisclosureExport.objects.select_for_update(no_key=True).get(pk=export.pk)
        # The accounts after the export (a decision locks the export alone; nothing locks an account
        # and then an export): a suspension or close of either committing from here on waits for the
        # release, and one committed before is seen.
        approver = _accounts_held(by=by, approver_id=locked.decided_by_id)
        if approver is not None:
            locked.decided_by = approver
        availability = export_availability(locked, approval_stands=approval_stands)
        if availability in GONE:
            event_record(
                tag=AuditTag.DisclosureExportExpiredAttempt,
                actor=by,
                additional={"export_id": str(locked.pk), "availability": str(availability)},
            )
        if availability == Availability.READY:
            # The downloader's whole vetting, their organisation held (after every account, before the
            # children): de-accredited, closed or lapsed since their page's check, `ActorCannotAct` and
            # nothing released. After the approval, so an approval withdrawn with the organisation both
            # share (its close) is said as before: audited, 410.
            actor_vetted_held(by)
            if build is None:  # no file to hand over: nothing counted, nothing audited
                raise NotDownloadable(Availability.READY)
            locked.downloads += 1
            locked.save(update_fields=["downloads"])
            children = sorted(_named_children_locked(locked), key=lambda child: child.index_number)
            built = build(locked, children)
            named = {child.pk for child in children}
            if not set(built.withheld) <= named:
                raise ValueError("a file withheld a child the export does not name")
            summary = _summary(locked)
            fields = list(locked.fields)
            for child in children:
                additional = _download_event(summary, fields, built.withheld.get(child.pk))
                event_record(
                    tag=AuditTag.DisclosureExportDownloaded,
                    actor=by,
                    child_id=child.pk,
                    additional=additional,
                )
            if not children:
                # Every child it named purged since (or removed): the file carries its header alone, and
                # its download is still one of the few, so the ledger says it left: against the export.
                event_record(
                    tag=AuditTag.DisclosureExportDownloaded,
                    actor=by,
                    additional={
                        **summary,
                        "released_fields": [],
                        "withheld_fields": [],
                        "withheld_reason": None,
                    },
                )
    if availability != Availability.READY:  # raised outside the transaction, so the attempt stays audited
        raise NotDownloadable(availability)
    return Released(locked, children, built.file)
