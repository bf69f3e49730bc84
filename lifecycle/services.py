"""The daily lifecycle job: archive records that are due, purge archives that are due, and purge
records closed for a new identity six years after the close (they are never archived). Idempotent.

Each child is archived or purged in its own transaction, re-checked under a row lock, so a second
run (or two overlapping runs) changes nothing that the first already did, and a crash part-way leaves
every child either fully done or untouched. An archive is decided again on the row as locked (its dates
and archive age), not on the scan's earlier copy (`child_archive_if_due`). Only the date columns are decrypted (date of birth, date
of death), never names or addresses, and only for active records.

An active record whose dates do not open because its own key was shredded (a merge that failed after its
shred) is deleted (`lifecycle.removal`), unless it is shielded (counted `removals_shielded`: its shield would
go with it); any other that does not open is counted `unreadable`, for a person (by id, for the operator).

The scan reads the active records in short keyset batches (`lifecycle.removal.active_in_batches`): no
cursor held open across the national scan, at most one batch in memory. A record it cannot judge for any
other reason (a date of birth that opens but is not a date) is counted `failed` by id, as a failed step
is, and the scan goes on. A record that looks left shredded is read again before it is counted
(`lifecycle.removal.active_read_again`): one merged away while the scan ran is nothing left.
"""

import logging
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import partial
from typing import Protocol, TypeVar
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import actor_able_locked
from audit.services import event_record
from audit.tags import AuditTag
from children.models import ARCHIVE_AGE_DEFAULT, ARCHIVE_AGE_LIMIT, Child, RecordStatus
from children.services import child_rows_locked
from children.shredding import child_shred
from children.signals import record_ended
from lifecycle.models import Archive, Closure
from lifecycle.moves import team_record_locked
from lifecycle.removal import (
    active_in_batches,
    active_read_again,
    left_shredded,
    removal_complete,
    removals_found,
)
from lifecycle.rules import ArchiveRule, archive_age_in_force, archive_due, purge_due
from vault.crypto import DecryptionFailed
from vault.sealing import Sealer, note_seal

BATCH_SIZE = 1000
NOTE_CONTEXT = "lifecycle"
SCAN_STEP = "archive scan"
SCAN_FIELDS = ("id", "archive_age", "shielded", "data_key", "date_of_birth", "date_of_death")
# Ids kept in a report (failures, unreadable records) for the operator; the counts count them all. A
# systemic fault (a KEK version missing, the key provider down) fails every record in the country: its
# ids would fill memory, and the first thousand say as much as all of them.
IDS_KEPT = 1000

logger = logging.getLogger(__name__)
Done = TypeVar("Done")


class ArchiveAgeRefused(ValueError):
    """An archive age outside 18..25: no record is kept beyond a child's 25th birthday."""


@dataclass
class LifecycleReport:
    """What one run did (or, with --dry-run, would do): counts only, never who."""

    run_on: date
    dry_run: bool
    examined: int = 0
    archived_at_age: int = 0
    archived_after_death: int = 0
    purged: int = 0
    purged_closed: int = 0
    removals_completed: int = 0
    # More records left shredded than `LIFECYCLE_REMOVALS_PER_RUN`: none deleted, for a person to look at.
    removals_withheld: int = 0
    # Shielded records left shredded: never deleted by the run (their shield would go with them,
    # `lifecycle.removal`), for a person to look at.
    removals_shielded: int = 0
    closures_dated: int = 0
    archive_age_capped: int = 0
    unreadable: int = 0
    failed: int = 0
    # Which child's step failed, and which step: ids only, for the operator (stderr), never in `counts`.
    # The first IDS_KEPT of each.
    failures: list["StepFailure"] = field(default_factory=list)
    unreadable_ids: list[UUID] = field(default_factory=list)

    @property
    def archived(self) -> int:
        return self.archived_at_age + self.archived_after_death

    def counts(self) -> dict[str, int]:
        values = asdict(self)
        return {
            name: value
            for name, value in values.items()
            if isinstance(value, int) and not isinstance(value, bool)
        }

    def lines(self) -> list[str]:
        mode = "DRY RUN: nothing changed" if self.dry_run else "changes made"
        head = f"lifecycle run for {self.run_on.isoformat()} ({mode})"
        return [head, *(f"  {name}: {value}" for name, value in self.counts().items())]


@dataclass(frozen=True)
class StepFailure:
    """One child's step that raised: the child's id (never anything about who), the step, the error's
    type (not its message, which may quote a value from the row)."""

    child_id: UUID
    step: str
    error: str

    def line(self) -> str:
        return f"{self.step} failed for child {self.child_id}: {self.error}"


class _Failures(Protocol):
    failed: int
    failures: list[StepFailure]


def _failure_recorded(report: _Failures, step: str, *, child_id: UUID, error: Exception) -> None:
    """Count one child's failed step, keep its id (the first IDS_KEPT), log it: the error's type only."""
    report.failed += 1
    if len(report.failures) < IDS_KEPT:
        report.failures.append(StepFailure(child_id=child_id, step=step, error=type(error).__name__))
    logger.error("lifecycle %s failed for child %s: %s", step, child_id, type(error).__name__)


def _each(
    report: _Failures, step: str, work: Callable[..., Done], *, child_id: UUID, **more: date
) -> Done | None:
    """`work(child_id=..., **more)` for one child in its own savepoint; a failure is rolled back for that
    child alone, counted and recorded by id, and the run goes on (None). A persistent failure on one record (a corrupt row, a
    key the provider will not shred) must not block every later archive and purge in the country."""
    try:
        with transaction.atomic():
            return work(child_id=child_id, **more)
    except Exception as error:  # any failure of one child's step: counted, never fatal to the run
        _failure_recorded(report, step, child_id=child_id, error=error)
        return None


def archive_age_record(*, child: Child, age: int, by: User | None) -> bool:
    """Record a consented archive age (care leaver, special educational needs), audited; 18..25 only
    (18 withdraws a consent). False, nothing written, when the record is kept to that age already.

    Only while the record is active: an archived record is never brought back by raising its age. A
    person recording it is judged again under their row's lock (`ActorCannotAct`: nothing written), and
    the record under its own, as every owning-team change is (`lifecycle.moves.team_record_locked`): one
    moved to another LA since the caller's policy check read `child`, archived or closed since, or merged
    into another, is refused (`RecordChangedSince`).
    """
    if not ARCHIVE_AGE_DEFAULT <= age <= ARCHIVE_AGE_LIMIT:
        raise ArchiveAgeRefused(f"archive age must be {ARCHIVE_AGE_DEFAULT} to {ARCHIVE_AGE_LIMIT}")
    with transaction.atomic():
        if by is not None:  # a person's decision (None: ContactPoint's own)
            actor_able_locked(by)
        stored = team_record_locked(child)
        if stored.archive_age == age:
            return False
        Child.objects.filter(pk=child.pk).update(archive_age=age, updated_at=timezone.now())
        event_record(tag=AuditTag.ArchiveAgeRecorded, actor=by, child_id=child.pk, additional={"age": age})
    child.archive_age = age
    return True


def _archives_due(
    today: date, report: LifecycleReport, batch_size: int
) -> tuple[list[tuple[UUID, str]], list[UUID]]:
    """(child id, rule) of every active record whose archive date has come, and the ids of those whose
    own key was shredded (`lifecycle.removal`). Reads only, in keyset batches (`active_in_batches`).

    A record that cannot be judged (a date of birth that opens but is not a date, an archive date past
    the calendar's end) is counted `failed` by id, never by its value, and the scan goes on: one corrupt
    row must not stop every archive and purge in the country, night after night."""
    due: list[tuple[UUID, str]] = []
    removals: list[UUID] = []
    for child in active_in_batches(fields=SCAN_FIELDS, batch_size=batch_size):
        report.examined += 1
        if archive_age_in_force(child.archive_age) != child.archive_age:
            report.archive_age_capped += 1
        try:
            _judged(child, today, report, due, removals)
        except Exception as error:  # one record that cannot be judged: counted, never fatal to the run
            _failure_recorded(report, SCAN_STEP, child_id=child.pk, error=error)
    return due, removals


def _judged(
    child: Child,
    today: date,
    report: LifecycleReport,
    due: list[tuple[UUID, str]],
    removals: list[UUID],
    *,
    read_again: bool = True,
) -> None:
    """Judge one active record as the scan read it: due (added to `due`), not due, left shredded (added
    to `removals`, or counted `removals_shielded`), or unreadable (counted, by id)."""
    try:
        rule = _due_rule(child, today)
    except DecryptionFailed:
        # Never archived on a guess. A shred's leftover is deleted; anything else (a damaged value, a
        # KEK not available) is reported for a person to look at.
        if not left_shredded(child):
            report.unreadable += 1
            if len(report.unreadable_ids) < IDS_KEPT:
                report.unreadable_ids.append(child.pk)
        elif read_again:
            # The scan's copy may be older than a merge that committed since (the duplicate's key shredded,
            # its row deleted): judged again on the row as it is now. Gone, or no longer active, it is
            # nothing left; still there, it is judged once more on what holds now (its shield too).
            now = active_read_again(child.pk, fields=SCAN_FIELDS)
            if now is not None:
                _judged(now, today, report, due, removals, read_again=False)
        elif child.shielded:
            report.removals_shielded += 1  # its shield would go with it: for a person
        else:
            removals.append(child.pk)
        return
    if rule is not None:
        due.append((child.pk, rule))


def _due_rule(child: Child, today: date) -> str | None:
    """The rule under which `child`, as read, is due for archive by `today`, or None if it is not due.

    Only the two date columns are decrypted. Raises DecryptionFailed for a row that cannot be read.
    """
    sealer = Sealer(child.data_key)
    born, died = (sealer.unseal(child, column) for column in ("date_of_birth", "date_of_death"))
    when = archive_due(
        date_of_birth=date.fromisoformat(born),
        archive_age=child.archive_age,
        date_of_death=date.fromisoformat(died) if died else None,
    )
    return when.rule if when.on <= today else None


def child_archive(*, child_id: UUID, rule: str, today: date) -> bool:
    """Archive one child under `rule` if still active (row lock, re-checked): False if another run got
    there first. The dates are not judged again: the caller has decided it is due (the nightly job
    decides under the lock instead, `child_archive_if_due`).

    The rule is kept only as a note sealed under the child's own key: whether a child died is personal,
    so it is readable by whoever may open the record, and shredded with it at purge.
    """
    with transaction.atomic():
        child = child_rows_locked().filter(pk=child_id, status=RecordStatus.ACTIVE).first()
        if child is None:
            return False
        _archived(child, rule=rule, today=today)
    return True


def child_archive_if_due(*, child_id: UUID, today: date) -> str | None:
    """Archive one child if, as stored now, it is active and due: the rule it was archived under, or None.

    What the nightly job uses. Its scan read the dates long before (a national scan takes a while), and
    in between another request may have committed a consented archive age, a corrected date of birth or
    a recorded death: the decision is taken again on the row read under its lock, so a record no longer
    due stays active, and one still due is archived under the rule that holds now.
    """
    with transaction.atomic():
        child = child_rows_locked().filter(pk=child_id, status=RecordStatus.ACTIVE).first()
        if child is None:
            return None
        try:
            rule = _due_rule(child, today)
        except DecryptionFailed:
            return None  # unreadable now (shredded meanwhile): never archived on a guess
        if rule is None:
            return None
        _archived(child, rule=rule, today=today)
    return rule


def _archived(child: Child, *, rule: str, today: date) -> None:
    """Archive `child`, whose row the caller holds locked as active, in the caller's transaction."""
    child.status = RecordStatus.ARCHIVED
    child.save(update_fields=["status", "updated_at"])
    Archive.objects.update_or_create(
        child=child, defaults={"archived_on": today, "purge_due_on": purge_due(today)}
    )
    event_record(
        tag=AuditTag.ChildArchived,
        actor=None,
        child_id=child.pk,
        additional={"rule_sealed": note_seal(child.data_key, context=NOTE_CONTEXT, text=rule)},
    )
    record_ended.send(sender=Child, child=child)


def child_purge(*, child_id: UUID) -> bool:
    """Crypto-shred one archived child, delete its rows, and leave a tombstone event; False if gone.

    The tombstone (`child:record:purged`) holds the child's id and row counts only: it proves the
    purge ran without keeping anything about who the child was. Earlier audit events stay (the log is
    append-only and verifiable); their sealed notes died with the child's keys.
    """
    return _purge(child_id=child_id, status=RecordStatus.ARCHIVED)


def closed_record_purge(*, child_id: UUID) -> bool:
    """Purge one record closed for a new identity, exactly as an archive is purged; False if gone.

    The same tombstone as an archive's, with nothing more: the record's own `child:record:closed`
    event already says it was closed, and nothing here names or counts the new identity.
    """
    return _purge(child_id=child_id, status=RecordStatus.CLOSED)


def closure_date(*, child_id: UUID, today: date) -> bool:
    """Date a closed record that has no closure date (closed by some other path): closed `today`, so it
    is purged six years on rather than kept for ever. False if it is dated already or not closed."""
    with transaction.atomic():
        child = Child.objects.select_for_update().filter(pk=child_id, status=RecordStatus.CLOSED).first()
        if child is None:
            return False
        _, created = Closure.objects.get_or_create(
            child=child, defaults={"closed_on": today, "purge_due_on": purge_due(today)}
        )
    return created


def _purge(*, child_id: UUID, status: str) -> bool:
    """Shred and delete one child still in `status` (row lock, re-checked), leaving the tombstone."""
    with transaction.atomic():
        child = child_rows_locked().filter(pk=child_id, status=status).first()
        if child is None:
            return False
        child_shred(child=child, by=None)
        carers = child.carers.count()
        involvements = child.involvements.count()
        child.delete()
        event_record(
            tag=AuditTag.ChildPurged,
            actor=None,
            child_id=child_id,
            additional={"carers_deleted": carers, "involvements_deleted": involvements},
        )
    return True


def lifecycle_run(*, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> LifecycleReport:
    """Archive every record due today, purge every archive due today, and purge every record closed for
    a new identity six years ago (dating any closed record that has no date yet); delete every active
    record whose own key was shredded (`lifecycle.removal`), unless there are more than
    `LIFECYCLE_REMOVALS_PER_RUN` (a failed merge leaves one at a time: many at once is something else, a
    key provider's revocations from another environment or a restore gone wrong, and deleting children's
    records on it would be a guess; none is deleted and the run says so); report the counts.

    With `dry_run` nothing is written, the audit log included, and the counts are those a real run
    would report now. The run itself is audited (`lifecycle:run:completed`, counts only). A child whose
    step fails is rolled back alone and counted (`failed`, `failures` by id), and the run goes on.
    """
    today = timezone.localdate()
    report = LifecycleReport(run_on=today, dry_run=dry_run)
    purges = list(
        Archive.objects.filter(purge_due_on__lte=today, child__status=RecordStatus.ARCHIVED)
        .order_by("purge_due_on", "child_id")
        .values_list("child_id", flat=True)
    )
    closed_purges = list(
        Closure.objects.filter(purge_due_on__lte=today, child__status=RecordStatus.CLOSED)
        .order_by("purge_due_on", "child_id")
        .values_list("child_id", flat=True)
    )
    undated = list(
        Child.objects.filter(status=RecordStatus.CLOSED, closure__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    due, removals = _archives_due(today, report, batch_size)
    for child_id, scanned in due:
        rule = (
            scanned
            if dry_run
            else _each(report, "archive", child_archive_if_due, child_id=child_id, today=today)
        )
        if rule == ArchiveRule.DEATH:
            report.archived_after_death += 1
        elif rule is not None:
            report.archived_at_age += 1
    # Shielded ones (never deleted here) count toward the night's limit too: it judges how many keys
    # were shredded at once, whatever the records.
    if len(removals) + report.removals_shielded > settings.LIFECYCLE_REMOVALS_PER_RUN:
        report.removals_withheld = len(removals)
        logger.error(
            "lifecycle: %d active records whose own key was shredded, more than LIFECYCLE_REMOVALS_PER_RUN"
            " (%d): none deleted. A failed merge leaves one at a time; check the key provider's"
            " revocations, then delete them with repair_shredded --apply",
            len(removals) + report.removals_shielded,
            settings.LIFECYCLE_REMOVALS_PER_RUN,
        )
        removals = []
    if report.removals_shielded:
        logger.error(
            "lifecycle: %d shielded active records whose own key was shredded: none deleted (the shield"
            " would go with them). Their LA team checks the shield on the record each was being merged"
            " into, then repair_shredded --apply --shielded-checked ID",
            report.removals_shielded,
        )
    for child_id in removals:
        if dry_run or _each(report, "removal", removal_complete, child_id=child_id):
            report.removals_completed += 1
    for child_id in purges:
        if dry_run or _each(report, "purge", child_purge, child_id=child_id):
            report.purged += 1
    for child_id in undated:
        if dry_run or _each(report, "closure date", closure_date, child_id=child_id, today=today):
            report.closures_dated += 1
    for child_id in closed_purges:
        if dry_run or _each(report, "closed purge", closed_record_purge, child_id=child_id):
            report.purged_closed += 1
    if not dry_run:
        event_record(tag=AuditTag.LifecycleRunCompleted, actor=None, additional=report.counts())
    return report


@dataclass
class RemovalReport:
    """What `repair_shredded` found and deleted: counts only, and failures by id for the operator."""

    dry_run: bool
    found: int = 0
    deleted: int = 0
    # Shielded, and not said to be checked: left (`lifecycle.removal`), by id for the operator to ask about.
    left_shielded: int = 0
    left_shielded_ids: list[UUID] = field(default_factory=list)
    failed: int = 0
    failures: list[StepFailure] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"  found: {self.found}", f"  deleted: {self.deleted}"]
        if self.left_shielded:
            lines.append(
                f"  left, shielded (check the shield first, then --shielded-checked ID): {self.left_shielded}"
            )
        return lines


def removals_repair(
    *, dry_run: bool = True, batch_size: int = BATCH_SIZE, shielded_checked: Collection[UUID] = ()
) -> RemovalReport:
    """The nightly run's removal step alone (`lifecycle.removal`), for an operator who need not wait for
    the night: find every active record whose own key was shredded and, unless `dry_run`, delete each in
    its own transaction (a failure rolled back alone, recorded by id, the rest carried on). A shielded
    one only if its id is in `shielded_checked` (its LA team has checked the shield of the record it was
    being merged into: see `lifecycle.removal`). By id, not one switch for all: another shielded leftover
    (another LA's, or one a merge left after the team was asked) has had no one check it."""
    checked = set(shielded_checked)
    report = RemovalReport(dry_run=dry_run)
    for removal in removals_found(batch_size=batch_size):
        report.found += 1
        said_checked = removal.child_id in checked
        if removal.shielded and not said_checked:
            report.left_shielded += 1
            report.left_shielded_ids.append(removal.child_id)
            continue
        if not dry_run and _each(
            report,
            "removal",
            partial(removal_complete, shielded_checked=said_checked),
            child_id=removal.child_id,
        ):
            report.deleted += 1
    return report
