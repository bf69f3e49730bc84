"""Writes: raising and deciding corrections, recording and progressing complaints. Each is audited
in the same transaction; free text and proposed values are sealed under the child's key.

Each first locks and re-reads the acting account (`accounts.services.actor_able_locked`): the policy
judged it at the start of the request, and someone suspended or closed since (for misuse, say), or cut
off (their organisation de-accredited or closed, their vetting lapsed), changes nothing (`ActorCannotAct`,
which the pages answer with `access.http.signed_out_refusal`). Then the page's own policy question
(`recheck`) is asked of that account as stored (`_actor_as_stored`), as the disclosure exports, alerts and
account pages ask theirs: someone moved to another LA since the page's check is refused there (the
page's `access.http.Refused`), and nothing is written."""

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import actor_able_locked
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.services import child_rows_locked
from corrections.fields import (
    CorrectableField,
    current_value,
    field_apply,
    field_for,
    organisation_problem,
    value_problem,
)
from corrections.models import (
    Complaint,
    ComplaintStatus,
    Correction,
    CorrectionStatus,
)
from vault.blind_index import blind_token
from vault.crypto import DecryptionFailed
from vault.sealing import Sealer

CURRENT_SEEN_PURPOSE = "correction-current-seen"


def _actor_as_stored(by: User) -> User:
    """`by` locked and judged again by the vetting (`actor_able_locked`: `ActorCannotAct`), then read as
    stored with their organisation (held by then), for the page's policy question to be asked of: an
    account put in another LA, or its organisation in another LA, since the page's check is seen."""
    actor_able_locked(by)
    return User.objects.select_related("organisation").get(pk=by.pk)


class AlreadyDecided(Exception):
    """Someone decided this correction first (two tabs, two colleagues): nothing is changed twice."""


class ValueChangedSince(Exception):
    """The detail no longer holds the value the deciding page showed (a feed update, a colleague's
    correction of it): accepting would overwrite a value the LA team never saw, so nothing is changed."""


def correction_current_seen(correction: Correction, value: Any) -> str:
    """What the detail holds now, as a keyed token tied to this correction: the decision page carries the
    one it showed, so accepting can tell whether the value has changed since, without putting it in the
    page's form in the clear (or as an unkeyed hash anyone could test guesses against)."""
    return blind_token(
        CURRENT_SEEN_PURPOSE, f"{correction.pk}\x1f{json.dumps(value, sort_keys=True, default=str)}"
    )


class ValueRefused(Exception):
    """A proposed value a record may not hold (characters children.text refuses, a name of more parts than
    a feed's may have, a date of birth a feed refuses): never raised or applied. The message is the
    phrase `corrections.fields.value_problem` gave."""


class OrganisationRefused(Exception):
    """The proposed school or GP practice may not go on the record now (closed, listed as another kind, or
    gone from the directory since the correction was raised): nothing is written. The message is the
    phrase (`corrections.fields.organisation_problem`), for the page to say after the field's name."""


def correction_raise(
    *,
    child: Child,
    field: CorrectableField,
    value: Any,
    reason: str,
    by: User,
    recheck: Callable[[Child, User], None] | None = None,
) -> Correction:
    """Record a proposed value for the owning LA team to decide; ValueRefused if the record may not hold it.

    `recheck` (the page's policy question asked again, as `access.http.still_permitted` does for the
    record pages) judges the record as stored, under its row lock, and the raiser as stored
    (`_actor_as_stored`): shielded since the page's check, or the raiser moved out of its LA's team, a
    location detail is no longer the raiser's to name, and the recheck raises before anything is written.
    """
    if problem := value_problem(field, value):
        raise ValueRefused(problem)
    correction = Correction(child=child, field=field.key, raised_by=by)
    with _unless_merged_away(child), transaction.atomic():
        actor = _actor_as_stored(by)  # ended or cut off since the page's check: ActorCannotAct
        Sealer(child.data_key).seal_all(
            correction,
            {"proposed_value": value, "reason": reason, "previous_value": None, "decision_reason": None},
        )
        # Still active, read under the row's lock (after sealing, as a recording takes it): an archive or
        # a close after the page's check lapsed what was pending then, and nobody could decide this one.
        stored = child_rows_locked().filter(pk=child.pk, status=RecordStatus.ACTIVE).first()
        if stored is None:
            raise RecordNotActive
        if recheck is not None:
            recheck(stored, actor)
        correction.save()
        event_record(
            tag=AuditTag.CorrectionRaised,
            actor=by,
            child_id=child.pk,
            additional={"correction_id": str(correction.pk), "field": field.key},
        )
    return correction


@contextmanager
def _unless_merged_away(child: Child) -> Iterator[None]:
    """A merge that committed after the page read `child` deleted it and, as its last step, shredded its
    data key (`linkage.merging`: revoked at the key provider, then its wrapped copy erased, by
    `vault.keys.data_key_shred`). Sealing under that key fails: KeyRevoked for the key as the page loaded
    it, KeyShredded for one read since (both DecryptionFailed). The record is gone: RecordNotActive, not a
    server error. A key failing while the record is still there (its merge revoked it and has not yet
    committed; a merge or purge that failed after its shred) is raised as it is, for the caller."""
    try:
        yield
    except DecryptionFailed:
        if not Child.objects.filter(pk=child.pk).exists():
            raise RecordNotActive from None
        raise


class RecordMoved(Exception):
    """The record moved to another LA after the caller's policy check: that check no longer holds."""


class RecordNotActive(Exception):
    """Archived or closed (a new identity) after the caller's policy check: no longer correctable."""


class CorrectionGone(Exception):
    """The correction is no longer held: its record was removed since it was read (the nightly removal of
    a record whose key a failed merge or purge shredded, `lifecycle.removal`), and it went with it."""


class RecordShielded(Exception):
    """The record was shielded after the caller's policy check: who may decide its location details changed."""


_LOCK_TRIES = 3


def _pending_locked(correction: Correction) -> Correction:
    """The correction and its child, locked, re-checked. The child's data key is read, not locked: a
    practitioner recording an involvement holds it (shared, from sealing) and then waits for the child's
    row, so locking it FOR UPDATE too deadlocked (see lifecycle.shielding).

    The child's row first, then the correction, as an archive or a close (which lapses the record's
    pending corrections, `corrections.lapsing`) and a merge (which moves them) take them: one statement
    locking both took the correction first, and a decision sent as the record was archived deadlocked
    with it. The correction's record is read and its row locked, and the correction is locked only once
    it is read still on that record (nothing moves a correction off a record without that record's row);
    a merge or unmerge committed in between (the record gone, or the correction moved) is followed to the
    record it is on now, as the one statement did, without holding the correction meanwhile.
    Deleted with its record since it was read (a removal: a merge moves it): `CorrectionGone`, as
    `_complaint_locked` answers a complaint gone with its record."""
    for _ in range(_LOCK_TRIES):
        child_id = Correction.objects.filter(pk=correction.pk).values_list("child_id", flat=True).first()
        if child_id is None:
            raise CorrectionGone
        child = child_rows_locked().filter(pk=child_id).first()
        if child is None:  # merged away (its corrections moved) or purged since it was read: again
            continue
        if Correction.objects.filter(pk=correction.pk, child_id=child.pk).exists():
            found = Correction.objects.select_for_update(of=("self",)).filter(pk=correction.pk).first()
            if found is None:  # deleted with its record between the two reads (never with its row held)
                raise CorrectionGone
            locked = found
            locked.child = child
            break
    else:
        raise AlreadyDecided  # moved on every try (never expected): decided nowhere, the page reads it again
    if locked.child.status != RecordStatus.ACTIVE:  # first: its pending corrections lapsed with it
        raise RecordNotActive
    if locked.status != CorrectionStatus.PENDING:
        raise AlreadyDecided
    if locked.child.local_authority_id != correction.child.local_authority_id:
        raise RecordMoved
    if locked.child.shielded and not correction.child.shielded:
        raise RecordShielded
    return locked


CorrectionRecheck = Callable[[Correction, User], None]
"""The deciding page's policy question asked again under the locks: (the correction as locked, its record
as stored; the decider as stored). Raises to write nothing (the page's `access.http.Refused`)."""


def correction_accept(
    *,
    correction: Correction,
    by: User,
    shown: str | None = None,
    recheck: CorrectionRecheck | None = None,
) -> None:
    """Apply the proposed value through the record-update services, then close the correction.

    `shown` is the `correction_current_seen` token of the value the deciding page showed as what the
    record says: if the detail holds another value now (read under the child's row lock),
    ValueChangedSince and nothing is written; so does "" (the page refuses an accept sent without it).
    None: no page (a caller that has just read the value).
    A proposed school or GP practice closed, listed as another kind or gone since it was proposed:
    OrganisationRefused, nothing written.
    `recheck` (`CorrectionRecheck`): the decider moved out of the record's LA since the page's check
    writes nothing.
    """
    with transaction.atomic():
        actor = _actor_as_stored(by)  # ended or cut off since the page's check: ActorCannotAct
        locked = _pending_locked(correction)
        if recheck is not None:
            recheck(locked, actor)
        child = locked.child
        sealer = Sealer(child.data_key)
        field = field_for(locked.field)
        if field is None:  # never stored: raising checks the key
            raise ValueError("unknown field")
        if shown is not None and shown != correction_current_seen(
            locked, current_value(child, field, sealer)
        ):
            raise ValueChangedSince
        proposed = sealer.unseal(locked, "proposed_value")
        # Stored before a rule (a name's parts), or by another way in: never applied.
        if problem := value_problem(field, proposed):
            raise ValueRefused(problem)
        # The school or GP practice as the directory holds it now, not as the proposing page offered it.
        if problem := organisation_problem(field, proposed):
            raise OrganisationRefused(problem)
        applied = field_apply(child=child, field=field, value=proposed, by=by)
        sealer.seal(locked, "previous_value", applied.previous)
        locked.status = CorrectionStatus.ACCEPTED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at", "previous_value"])
        event_record(
            tag=AuditTag.CorrectionAccepted,
            actor=by,
            child_id=child.pk,
            additional={
                "correction_id": str(locked.pk),
                "field": locked.field,
                "matches_withdrawn": applied.matches_withdrawn,
            },
        )


def correction_reject(
    *, correction: Correction, by: User, reason: str, recheck: CorrectionRecheck | None = None
) -> None:
    """Close the correction unapplied, with the reason the raiser sees; `recheck` as in `correction_accept`."""
    with transaction.atomic():
        actor = _actor_as_stored(by)
        locked = _pending_locked(correction)
        if recheck is not None:
            recheck(locked, actor)
        Sealer(locked.child.data_key).seal(locked, "decision_reason", reason)
        locked.status = CorrectionStatus.REJECTED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        event_record(
            tag=AuditTag.CorrectionRejected,
            actor=by,
            child_id=locked.child_id,
            additional={"correction_id": str(locked.pk), "field": locked.field},
        )


@dataclass(frozen=True)
class ComplaintProgress:
    """Where a complaint has got to: the status and the dates and outcome that go with it."""

    status: str
    acknowledged_on: date | None = None
    outcome: str = ""
    outcome_on: date | None = None
    outcome_detail: str = ""


def complaint_record(
    *,
    child: Child,
    by: User,
    complainant: str,
    about: str,
    received_on: date,
    summary: str,
    recheck: Callable[[Child, User], None] | None = None,
) -> Complaint:
    """Record a complaint, its summary sealed; `recheck` judges the record as stored, under its row lock,
    and the recorder as stored (as in `correction_raise`), and RecordNotActive if it has been merged away
    since the caller read it."""
    complaint = Complaint(
        child=child, complainant=complainant, about=about, received_on=received_on, recorded_by=by
    )
    with _unless_merged_away(child), transaction.atomic():
        actor = _actor_as_stored(by)
        Sealer(child.data_key).seal_all(complaint, {"summary": summary, "outcome_detail": None})
        # The record as stored, under its lock (after sealing, as a recording takes it): merged away,
        # closed, archived or moved to another LA since the page's check, a complaint saved on it would
        # be a server error at commit or one that no list shows and nobody may open.
        stored = child_rows_locked().filter(pk=child.pk).first()
        if stored is None:
            raise RecordNotActive
        if recheck is not None:
            recheck(stored, actor)
        complaint.save()
        event_record(
            tag=AuditTag.ComplaintRecorded,
            actor=by,
            child_id=child.pk,
            additional={"complaint_id": str(complaint.pk), "complainant": complainant, "about": about},
        )
    return complaint


class ComplaintChangedSince(Exception):
    """The complaint's progress was saved by someone else (or by the same form sent twice) after the page
    that sent this was read: saving over it would undo that, so nothing is changed."""


class ComplaintClosed(Exception):
    """The complaint is closed with an outcome: moving it back would erase the outcome, its date and what
    was decided (sealed, with no other copy), so nothing is changed. A new complaint is recorded instead."""


def complaint_version(complaint: Complaint) -> str:
    """A token of the complaint's progress as stored: it changes with every save, an identical one too
    (what was decided is sealed afresh, with a new nonce). The page carries the one it showed.

    A digest of the clear columns and of the ciphertext, so it tells nothing about what was decided.
    """
    sealed = bytes(complaint.outcome_detail or b"")
    shown = f"{complaint.status}|{complaint.acknowledged_on}|{complaint.outcome}|{complaint.outcome_on}|"
    return hashlib.sha256(shown.encode() + sealed).hexdigest()[:32]


class ComplaintMoved(Exception):
    """The complaint is on another record now (its record was merged into another, or a merge undone)
    since the caller read it: what was decided would be sealed under a key that is not its record's."""


class ComplaintGone(Exception):
    """The complaint is no longer held: its record was purged (its retention ran out) since it was read."""


def _complaint_locked(complaint: Complaint) -> Complaint:
    """The complaint and its record, both locked and read as stored, the record first: a merge, a close, a
    transfer and a purge lock the record's row before they touch its complaints, so a save waits for them
    (or they for it) rather than one writing over the other. Refused (nothing written) if the record is
    gone, closed or in another LA now, or the complaint moved to another record or was deleted with it.
    """
    child = child_rows_locked().filter(pk=complaint.child_id).first()
    locked = Complaint.objects.select_for_update().filter(pk=complaint.pk).first()
    if locked is None:
        raise ComplaintGone
    if child is None or locked.child_id != child.pk:
        raise ComplaintMoved
    if child.status == RecordStatus.CLOSED:  # a new identity: the old record is never opened again
        raise RecordNotActive
    if child.local_authority_id != complaint.child.local_authority_id:
        raise RecordMoved
    locked.child = child  # sealed under its key as stored
    return locked


ComplaintRecheck = Callable[[Complaint, User], None]
"""The complaint page's policy question asked again under the locks: (the complaint as locked, its record
as stored; the LA team member as stored). Raises to write nothing (the page's `access.http.Refused`)."""


def complaint_progress(
    *,
    complaint: Complaint,
    by: User,
    progress: ComplaintProgress,
    shown: str | None = None,
    recheck: ComplaintRecheck | None = None,
) -> None:
    """Move a complaint on (or correct its dates); a closed complaint keeps its outcome and date.

    `shown` is the `complaint_version` of the progress the caller's page showed: if the complaint has been
    saved since (a colleague closed it with its outcome; the form sent twice), ComplaintChangedSince and
    nothing is written, rather than putting it back to what that page said and erasing the outcome. The
    row is re-read under its lock, so two saves at once take turns and the second is refused. A closed
    complaint is never moved back (ComplaintClosed): its dates and outcome may still be corrected.
    Its record is locked and read first (`_complaint_locked`): merged away, purged, closed or moved to
    another LA since the page's check, nothing is written (ComplaintMoved, ComplaintGone,
    RecordNotActive, RecordMoved), and what was decided is sealed under the record's key as stored.
    `recheck` (`ComplaintRecheck`): the LA team member moved to another LA since the page's check writes
    nothing.
    """
    closed = progress.status == ComplaintStatus.CLOSED
    with transaction.atomic():
        actor = _actor_as_stored(by)
        locked = _complaint_locked(complaint)
        if recheck is not None:
            recheck(locked, actor)
        if shown is not None and shown != complaint_version(locked):
            raise ComplaintChangedSince
        if locked.status == ComplaintStatus.CLOSED and not closed:
            raise ComplaintClosed
        locked.status = progress.status
        locked.acknowledged_on = progress.acknowledged_on
        locked.outcome = progress.outcome if closed else ""
        locked.outcome_on = progress.outcome_on if closed else None
        Sealer(locked.child.data_key).seal(
            locked, "outcome_detail", progress.outcome_detail if closed else None
        )
        locked.save(update_fields=["status", "acknowledged_on", "outcome", "outcome_on", "outcome_detail"])
        event_record(
            tag=AuditTag.ComplaintUpdated,
            actor=by,
            child_id=locked.child_id,
            additional={
                "complaint_id": str(locked.pk),
                "status": locked.status,
                "outcome": locked.outcome,
            },
        )
    for name in ("status", "acknowledged_on", "outcome", "outcome_on", "outcome_detail"):
        setattr(complaint, name, getattr(locked, name))
