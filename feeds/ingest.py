"""Ingesting a batch: validate each row, ask linkage what it is, then create, update or queue it.

Idempotent and resumable: a batch is identified by (source, batch id) and its content fingerprint;
each row is processed in its own transaction together with its `FeedRow`, so a batch killed mid-way
has every finished row recorded and nothing half-written, and a re-run skips the finished rows. A
completed batch submitted again changes nothing and returns the stored outcome.

What goes back to the source (`source_report`: the API and `manage.py ingest`) says "accepted" for every
row linked, updated or sent to a person, never which: a source must not learn that a record resembles a
shielded child, nor that a child it sent before has since been shielded, moved to an LA it does not cover,
archived or closed. The stored rows and the batch's audit event keep the full breakdown.
"""

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.dates import years_after
from accounts.directory import organisation_closed_on_held
from accounts.models import Organisation, OrganisationKind
from audit.services import event_record
from audit.tags import AuditTag
from children.models import ARCHIVE_AGE_DEFAULT, Child
from children.services import child_create
from children.text import text_problem
from feeds.models import BatchStatus, FeedBatch, FeedRow, FeedSource, RowOutcome
from feeds.parsers import Row, RowUnreadable
from feeds.provenance import (
    DEATH_BEFORE_RECORDS_BIRTH,
    ChildChangedSinceDecided,
    DeathBeforeBirth,
    child_update_from_feed,
    provenance_record,
)
from feeds.ratelimit import batch_conflict_audit_due
from feeds.validation import FeedRecord, RowInvalid, record_to_json, row_fields, row_validate
from linkage.linking import (
    IncomingRecord,
    LinkDecision,
    Outcome,
    canonical_identifier,
    link_decide,
    record_digests,
    record_keys_lock,
)
from linkage.services import review_for_row, review_row_token
from vault.sealing import Sealer

REVIEW_REASON = "sent to clerical review"


class Verdict(Protocol):
    """What the entitlement check answers (access.policy.Decision has this shape)."""

    @property
    def allowed(self) -> bool: ...

    @property
    def message(self) -> str: ...


# (source, fields the row carries, its local authority or None) -> may the source supply them?
EntitlementCheck = Callable[[FeedSource, set[str], Organisation | None], Verdict]


# (source) -> may it still submit, with the entitlement the run began with? Asked by a long run (the
# `ingest` command) before its first row and again every STANDING_SECONDS, so a suspension, a closed
# organisation or a narrowed entitlement stops it within seconds, not when the file ends hours later.
StandingCheck = Callable[[FeedSource], Verdict]
STANDING_SECONDS = 5.0


class SourceRefused(Exception):
    """The source may no longer submit (its standing changed during the run): nothing more is written,
    the rows done stay done and the batch stays in progress. The message is the policy's, no value."""


# A batch id is kept whole or refused, never cut short. The one rule for a file's `--batch-id` and the
# API's address (both ask `batch_id_refused`, which applies `batch_id_problem` to a new batch's id): the
# same ids refused in the same words.
BATCH_ID_LONGEST = 100  # FeedBatch.batch_id
BATCH_ID_PATTERN = "^[A-Za-z0-9._:-]+$"  # as the OpenAPI schema declares it
BATCH_ID_RULE = (
    "batch id may hold only letters A-Z and a-z, digits, full stops (.), underscores (_), colons (:) "
    "and hyphens (-)"
)
_BATCH_ID = re.compile(r"[A-Za-z0-9._:-]+")


def batch_id_problem(batch_id: str) -> str | None:
    """Why `batch_id` cannot name a batch (never repeating it), or None.

    Plain ASCII letters, digits and `._:-` only: an id must read as it is stored (operators read ids on
    the service health page), so no control or invisible character, and no two ids that look alike (an é
    precomposed or as e and a combining accent were two batches); no slash, which the API's address cannot
    hold, so a batch named in a file can always be read back or resent over the API, (source, batch id)
    being one namespace for both; and nothing an address must encode (a space, a plus).
    """
    if not batch_id:
        return "batch id is empty"
    if len(batch_id) > BATCH_ID_LONGEST:
        return f"batch id is longer than {BATCH_ID_LONGEST} characters"
    if not _BATCH_ID.fullmatch(batch_id):
        return BATCH_ID_RULE
    return None


def batch_id_refused(*, batch_id: str, source: FeedSource | None) -> str | None:
    """Why `batch_id` cannot name a batch of `source` (in `batch_id_problem`'s words), or None.

    An id the source already has a batch under is taken though the rule refuses it now: ids were held to
    plain ASCII after batches had been opened under ids the earlier rule took (the "+" of an ISO timestamp,
    a space, a letter of another script), and such a batch left in progress must still be resumed, resent
    and read back. Only an id that rule took is looked up (not empty, not too long, no control or invisible
    character: those were refused then too, and PostgreSQL cannot be asked about a NUL), and exactly, for
    this source alone: an id that only reads alike, or another source's, is a new batch and refused.
    """
    problem = batch_id_problem(batch_id)
    if problem != BATCH_ID_RULE or source is None or text_problem(batch_id) is not None:
        return problem
    if FeedBatch.objects.filter(source=source, batch_id=batch_id).exists():
        return None
    return problem


class BatchConflict(Exception):
    """The batch id was already used for different content: refused, nothing written."""


@dataclass
class RowReport:
    row_number: int
    outcome: str
    reason: str = ""


@dataclass
class BatchReport:
    batch_id: str
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    rejected: list[RowReport] = field(default_factory=list)
    replayed: bool = False


def _report(batch: FeedBatch, *, replayed: bool) -> BatchReport:
    rows = list(batch.rows.all())
    counts = Counter(row.outcome for row in rows)
    return BatchReport(
        batch_id=batch.batch_id,
        status=batch.status,
        counts={outcome: counts.get(outcome, 0) for outcome in RowOutcome.values},
        rejected=[
            RowReport(r.row_number, r.outcome, r.reason) for r in rows if r.outcome == RowOutcome.REJECTED
        ],
        replayed=replayed,
    )


def batch_report(batch: FeedBatch) -> BatchReport:
    """The stored outcome of a batch (complete or not), in full; the source reads it through
    `source_report`."""
    return _report(batch, replayed=False)


# What a source is told of its rows. "updated", "linked" and "review" are one outcome to it: told apart,
# the same row resent every day went from "linked" to "review" the day its child was shielded (or moved
# to an LA the source does not cover, archived or closed), and a batch of one row named the child. A row
# the index has never seen is still told "created" or "accepted" (a hold looks like any other review to
# the source, but not like a new child: a residual risk in docs/SECURITY.md); a rejected row is told by
# number and reason, which name a rule, never a value or a child.
SOURCE_CREATED, SOURCE_ACCEPTED, SOURCE_REJECTED = "created", "accepted", "rejected"
SOURCE_OUTCOMES: dict[str, str] = {
    SOURCE_CREATED: "Created: a new child was added to the index",
    SOURCE_ACCEPTED: "Accepted: matched to the index or held for a person to check",
    SOURCE_REJECTED: "Rejected: not valid; each such row is listed with its number and reason",
}
TOLD_AS: dict[str, str] = {
    RowOutcome.CREATED: SOURCE_CREATED,
    RowOutcome.UPDATED: SOURCE_ACCEPTED,
    RowOutcome.LINKED: SOURCE_ACCEPTED,
    RowOutcome.REVIEW: SOURCE_ACCEPTED,
    RowOutcome.REJECTED: SOURCE_REJECTED,
}


@dataclass(frozen=True)
class SourceReport:
    """A batch's outcome as its source is told it: counts by `SOURCE_OUTCOMES` and the rejected rows."""

    batch_id: str
    status: str
    counts: dict[str, int]
    rejected: list[RowReport]
    replayed: bool


# Rejections only a row matched to a child can get: kept as rejected, with their reason, for the data
# manager and the audit, but told to the source as "accepted", as any row matched to a child. Told, the
# same row resent after its child was shielded, moved out of the source's LAs or archived (held for
# review: "accepted") read differently, and the reason said the index holds another date of birth.
TOLD_AS_ACCEPTED = frozenset({DEATH_BEFORE_RECORDS_BIRTH})


def source_report(report: BatchReport) -> SourceReport:
    """`report` folded to what its source may be told (`SOURCE_OUTCOMES`): the one way a report leaves
    the index, whether the batch was just ingested, is in progress, read back or replayed."""
    counts = dict.fromkeys(SOURCE_OUTCOMES, 0)
    for outcome, count in report.counts.items():
        counts[TOLD_AS[outcome]] += count
    matched = sum(row.reason in TOLD_AS_ACCEPTED for row in report.rejected)
    counts[SOURCE_REJECTED] -= matched
    counts[SOURCE_ACCEPTED] += matched
    return SourceReport(
        batch_id=report.batch_id,
        status=report.status,
        counts=counts,
        rejected=[row for row in report.rejected if row.reason not in TOLD_AS_ACCEPTED],
        replayed=report.replayed,
    )


def incoming_record(record: FeedRecord, *, la: Organisation, issuer_id: int | None) -> IncomingRecord:
    identifiers = (
        (("nhs_number", canonical_identifier("nhs_number", record.nhs_number)),) if record.nhs_number else ()
    )
    return IncomingRecord(
        identity=record.details(issuer_id=issuer_id).identity(),
        identifiers=identifiers,
        local_authority_id=la.pk,
    )


# A feed makes records of children only. It may still update an older person's record (kept to 25 with
# consent), but a person of 18 or over it does not find is not created: the next daily run would archive
# them again, and a purged care leaver would come back as an active, searchable record.
NOT_A_CHILD = "date_of_birth: the person is 18 or over, and a feed creates records of children only"


# The index records a death on a child it holds (the update path), for the lifecycle to archive the record a
# year later; it does not create a record of a child who has died, to be searchable until then.
DIED_NOT_CREATED = (
    "date_of_death: no record of this child was found to update, and the index does not create a record "
    "of a child who has died"
)


def is_adult(date_of_birth: date, today: date) -> bool:
    return years_after(date_of_birth, ARCHIVE_AGE_DEFAULT) <= today


def record_create(
    *, record: FeedRecord, la: Organisation, source: FeedSource, shielded: bool = False
) -> Child:
    """A new child from a feed record, with the provenance of every field it supplied."""
    child = child_create(
        local_authority=la,
        details=record.details(issuer_id=source.user.organisation_id),
        shielded=shielded,
        created_by=source.user,
    )
    provenance_record(
        child=child, record=record, source=source, sealer=Sealer(child.data_key), new_child=True
    )
    return child


class _RowRejected(Exception):
    pass


# A closed LA's team and data manager are shut out, so nobody could shield, transfer, broker or answer for a
# child put there (and closing an LA is refused while it holds any: `administration.organisations`).
LA_CLOSED = "local_authority is closed"


def _closed_by(la: Organisation, today: date) -> bool:
    return la.closed_on is not None and la.closed_on <= today


def la_open_locked(la: Organisation, today: date) -> bool:
    """Is the LA still open on `today`, read again under a hold on its row (`organisation_closed_on_held`:
    a close waits for this row's child and counts it), so no child is put in an LA closing around it.
    Asked by every feed path that creates a child: a row here, a review's "new child" (`feeds.review`)."""
    closed_on = organisation_closed_on_held(la.pk)
    return closed_on is None or closed_on > today


def _local_authority(code: str, cache: dict[str, Organisation | None]) -> Organisation | None:
    if code not in cache:
        cache[code] = Organisation.objects.filter(code=code, kind=OrganisationKind.LOCAL_AUTHORITY).first()
    return cache[code]


def _row_process(
    row: Row,
    *,
    source: FeedSource,
    entitled: EntitlementCheck,
    la_cache: dict[str, Organisation | None],
    la_ids: frozenset[int],
    today: date,
    lock: bool,
) -> tuple[str, str, Child | None, Any]:
    if isinstance(row, RowUnreadable):
        return RowOutcome.REJECTED, row.reason, None, None
    try:
        record = row_validate(row, today=today)
    except RowInvalid as invalid:
        return RowOutcome.REJECTED, str(invalid), None, None
    la = _local_authority(record.local_authority, la_cache)
    if la is None:
        return RowOutcome.REJECTED, "local_authority is not a known local authority code", None, None
    if _closed_by(la, today):
        return RowOutcome.REJECTED, LA_CLOSED, None, None
    verdict = entitled(source, row_fields(row), la)
    if not verdict.allowed:
        return RowOutcome.REJECTED, verdict.message, None, None
    incoming = incoming_record(record, la=la, issuer_id=source.user.organisation_id)
    digests = record_digests(incoming)
    if lock:
        record_keys_lock(digests)  # parallel workers: see linkage.linking.record_keys_lock
    decision = link_decide(record=incoming, la_ids=la_ids, digests=digests)
    if decision.outcome == Outcome.NEW:
        if record.date_of_death is not None:
            return RowOutcome.REJECTED, DIED_NOT_CREATED, None, None
        if is_adult(record.date_of_birth, today):
            return RowOutcome.REJECTED, NOT_A_CHILD, None, None
        if not la_open_locked(la, today):  # closed since this run read it: checked again under its row lock
            return RowOutcome.REJECTED, LA_CLOSED, None, None
        return RowOutcome.CREATED, "", record_create(record=record, la=la, source=source), None
    if decision.outcome == Outcome.UPDATE and decision.child is not None:
        try:
            with transaction.atomic():  # a savepoint: a row refused keeps none of its provenance
                changed = child_update_from_feed(
                    child=decision.child, record=record, source=source, la_ids=la_ids
                )
        except DeathBeforeBirth:
            return RowOutcome.REJECTED, DEATH_BEFORE_RECORDS_BIRTH, None, None
        return (RowOutcome.UPDATED if changed else RowOutcome.LINKED), "", decision.child, None
    sealed = {"record": record_to_json(record), "la_id": la.pk, "source": source.code}
    # The same row resent (tomorrow's extract) while its review is open waits on that review: told to the
    # source in the same words, counted as review, audited per batch (`review_rows_waiting_on_open_reviews`).
    review, _ = review_for_row(
        decision=decision,
        incoming=sealed,
        submitted_by=source.user,
        row_token=_row_token(record, source, decision),
    )
    return RowOutcome.REVIEW, REVIEW_REASON, None, review


def _row_token(record: FeedRecord, source: FeedSource, decision: LinkDecision) -> int:
    """The row as its source sent it, canonical (validated values, the NHS number without its spaces)."""
    values = record_to_json(record)
    if values["nhs_number"]:
        values["nhs_number"] = canonical_identifier("nhs_number", values["nhs_number"])
    return review_row_token(source_id=source.pk, values=values, decision=decision)


# A row whose transaction lost a deadlock (PostgreSQL aborts one of two) is tried again this often.
ROW_ATTEMPTS = 3


def _deadlock(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == "40P01"


def batch_open(
    *, source: FeedSource, batch_id: str, fingerprint: str
) -> tuple[FeedBatch, BatchReport | None]:
    """The batch to ingest (new or interrupted), or with it the stored report of a completed one.

    A batch is audited when first opened (`feed:batch:opened`, with the batch row), so a batch whose rows
    went in but that never completed (a 202 never resent, a run killed) is still an event of its own. A
    batch id reused for other content is refused (BatchConflict) and audited once a minute per source
    (`feed:batch:conflict`), with the count of the minute before.
    """
    with transaction.atomic():
        batch, created = FeedBatch.objects.get_or_create(
            source=source, batch_id=batch_id, defaults={"fingerprint": fingerprint}
        )
        if created:
            event_record(
                tag=AuditTag.FeedBatchOpened,
                actor=source.user,
                additional={"source": source.code, "batch": batch.pk},
            )
    if not created and batch.fingerprint != fingerprint:
        due, refused_minute_before = batch_conflict_audit_due(source.pk)
        if due:
            event_record(
                tag=AuditTag.FeedBatchConflict,
                actor=source.user,
                additional={
                    "source": source.code,
                    "batch": batch.pk,
                    "refused_in_the_minute_before": refused_minute_before,
                },
            )
        raise BatchConflict("this batch id was already used for different content")
    if batch.status == BatchStatus.COMPLETED:
        return batch, _report(batch, replayed=True)
    return batch, None


def batch_rows_ingest(
    *,
    batch: FeedBatch,
    source: FeedSource,
    rows: Iterable[tuple[int, Row]],
    entitled: EntitlementCheck,
    today: date,
    progress: Callable[[], object] | None = None,
    standing: StandingCheck | None = None,
    every_row: StandingCheck | None = None,
) -> None:
    """Process every row not yet finished, each in its own transaction with its `FeedRow`.

    `standing`, if given, is asked before the first row and then every STANDING_SECONDS; a refusal
    raises SourceRefused between rows (what the source and its LAs were when the run began is what
    every row is judged and linked by, so a change to either must stop the run). `every_row`, if given,
    is asked before every row, first: a cheap check (the API's token still live, one indexed query) whose
    refusal must stop the very next row, not the one STANDING_SECONDS later.

    Several processes may work on one batch at once (`feeds.workers`, or the same file ingested twice):
    a row another process finished first fails on the `FeedRow` constraint and is skipped; a row that
    lost a deadlock is tried again; any other failure stops this process, its row rolled back whole.
    """
    done = set(batch.rows.values_list("row_number", flat=True))
    # Each row commits alone, releasing its key locks, unless the caller wrapped the batch in its own
    # transaction (tests do): then nothing is visible to anyone else before that commits, and locks
    # held for thousands of rows would fill PostgreSQL's lock table, so none are taken.
    lock = not connection.in_atomic_block
    la_cache: dict[str, Organisation | None] = {}
    la_ids = frozenset(source.local_authorities.values_list("pk", flat=True))
    judge_at = time.monotonic()
    for number, row in rows:
        if number not in done:
            if every_row is not None and not (verdict := every_row(source)).allowed:
                raise SourceRefused(verdict.message)
            if standing is not None and time.monotonic() >= judge_at:
                verdict = standing(source)
                if not verdict.allowed:
                    raise SourceRefused(verdict.message)
                judge_at = time.monotonic() + STANDING_SECONDS
            for attempt in range(1, ROW_ATTEMPTS + 1):
                try:
                    with transaction.atomic():
                        outcome, reason, child, review = _row_process(
                            row,
                            source=source,
                            entitled=entitled,
                            la_cache=la_cache,
                            la_ids=la_ids,
                            today=today,
                            lock=lock,
                        )
                        FeedRow.objects.create(
                            batch=batch,
                            row_number=number,
                            outcome=outcome,
                            reason=reason,
                            child=child,
                            review=review,
                        )
                    break
                except IntegrityError:
                    if FeedRow.objects.filter(batch=batch, row_number=number).exists():
                        break  # another process finished this row first: its transaction counts
                    if attempt == ROW_ATTEMPTS:
                        raise
                except OperationalError as failed:
                    if not _deadlock(failed) or attempt == ROW_ATTEMPTS:
                        raise
                except ChildChangedSinceDecided:
                    # Archived, closed or moved between the decision and the write: decide it again
                    # (now held, or sent to review), never written into that record.
                    if attempt == ROW_ATTEMPTS:
                        raise
        if progress is not None:
            progress()


def _rows_waiting(batch: FeedBatch) -> int:
    """How many of the batch's review rows wait on a review an earlier row opened (a resend of a row
    whose review is open: `linkage.services.review_for_row`); a count, no value. An earlier row is one
    with a lower id: a row waiting on a review reads it after the row that opened it committed."""
    earlier = FeedRow.objects.filter(review_id=OuterRef("review_id"), pk__lt=OuterRef("pk"))
    return batch.rows.filter(outcome=RowOutcome.REVIEW, review__isnull=False).filter(Exists(earlier)).count()


def batch_complete(*, batch: FeedBatch, source: FeedSource) -> BatchReport:
    """Mark the batch completed and audit its outcome, once (whoever completes it first)."""
    with transaction.atomic():
        batch = FeedBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != BatchStatus.COMPLETED:
            batch.status = BatchStatus.COMPLETED
            batch.completed_at = timezone.now()
            batch.save(update_fields=["status", "completed_at"])
            report = _report(batch, replayed=False)
            event_record(
                tag=AuditTag.FeedBatchIngested,
                actor=source.user,
                additional={
                    "source": source.code,
                    "batch": batch.pk,
                    "counts": report.counts,
                    "review_rows_waiting_on_open_reviews": _rows_waiting(batch),
                },
            )
            return report
    return _report(batch, replayed=True)


def batch_ingest(
    *,
    source: FeedSource,
    batch_id: str,
    fingerprint: str,
    rows: Iterable[tuple[int, Row]],
    entitled: EntitlementCheck,
    today: date | None = None,
    progress: Callable[[], object] | None = None,
) -> BatchReport:
    """Ingest (or finish ingesting) a batch; see the module docstring for idempotency and resumption."""
    batch, replayed = batch_open(source=source, batch_id=batch_id, fingerprint=fingerprint)
    if replayed is not None:
        return replayed
    batch_rows_ingest(
        batch=batch,
        source=source,
        rows=rows,
        entitled=entitled,
        today=today or timezone.localdate(),
        progress=progress,
    )
    return batch_complete(batch=batch, source=source)
