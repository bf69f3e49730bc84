"""Service health for the system administrator: the state of the audit log's signing and of the keys.

Nothing here is about a child: sizes, times, key ids and versions, how far a key rotation has got, how
many records a shred left behind (counts and a date, never which: `manage.py repair_shredded` names them
to the operator), and which feed tokens expire soon (source, token id and prefix).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from audit.models import AuditEvent, AuditHead
from audit.signing import SigningKeyError, key_id, signing_key
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from feeds.models import FeedBatch, FeedToken, RowOutcome
from vault.models import DataKey
from vault.providers import key_provider

# How many of the latest feed batches the page lists.
FEED_BATCHES_SHOWN = 20
# A head older than this, with events after it, means the checkpoint job has stopped.
CHECKPOINT_STALE_AFTER = timedelta(minutes=15)
# A live feed token expiring within this is listed: time to issue, install and switch to the next one.
TOKEN_EXPIRY_WARNING = timedelta(days=30)


@dataclass(frozen=True)
class CheckpointHealth:
    size: int
    issued_at: datetime | None
    age: timedelta | None
    key_id: str
    unsigned_events: int

    @property
    def stale(self) -> bool:
        return self.unsigned_events > 0 and (self.age is None or self.age > CHECKPOINT_STALE_AFTER)


@dataclass(frozen=True)
class KeyHealth:
    signing_key_id: str
    signing_key_problem: str
    signing_key_changed: datetime | None
    kek_current: int
    kek_versions: list[int]
    vault_key_file_changed: datetime | None
    data_keys_by_kek: dict[int, int]
    oldest_data_key: datetime | None
    rotation_pending: int


def _file_changed(path: object) -> datetime | None:
    if not path:
        return None
    file = Path(str(path))
    if not file.exists():
        return None
    return datetime.fromtimestamp(file.stat().st_mtime, tz=timezone.get_current_timezone())


def checkpoint_health() -> CheckpointHealth:
    head = AuditHead.objects.order_by("-size", "-id").first()
    last_event_id = head.last_event_id if head is not None else 0
    unsigned = AuditEvent.objects.filter(id__gt=last_event_id).count()
    if head is None:
        return CheckpointHealth(size=0, issued_at=None, age=None, key_id="", unsigned_events=unsigned)
    return CheckpointHealth(
        size=head.size,
        issued_at=head.issued_at,
        age=timezone.now() - head.issued_at,
        key_id=head.key_id,
        unsigned_events=unsigned,
    )


def key_health() -> KeyHealth:
    try:
        signing_id, problem = key_id(signing_key().public_key()), ""
    except SigningKeyError as error:
        signing_id, problem = "", str(error)
    provider = key_provider()
    current = provider.current_kek_version()
    # One pass over the live keys (a key a record, 12 million of them), grouped by KEK: the counts, the
    # oldest and those awaiting rotation all come from it, where three queries read them three times.
    by_version = list(
        DataKey.objects.filter(shredded_at__isnull=True)
        .order_by()
        .values("kek_version")
        .annotate(n=Count("id"), oldest=Min("created_at"))
    )
    by_kek = {row["kek_version"]: row["n"] for row in by_version}
    return KeyHealth(
        signing_key_id=signing_id,
        signing_key_problem=problem,
        signing_key_changed=_file_changed(getattr(settings, "AUDIT_SIGNING_KEY_FILE", None)),
        kek_current=current,
        kek_versions=sorted(provider.kek_versions()),
        vault_key_file_changed=_file_changed(getattr(settings, "VAULT_KEY_FILE", None)),
        data_keys_by_kek=dict(sorted(by_kek.items())),
        oldest_data_key=min((row["oldest"] for row in by_version), default=None),
        rotation_pending=sum(n for version, n in by_kek.items() if version != current),
    )


@dataclass(frozen=True)
class FeedBatchHealth:
    """One feed batch as the administrator sees it: which source, when, and how its rows ended (counts)."""

    source: str
    batch_id: str
    status: str
    started_at: datetime
    completed_at: datetime | None
    outcomes: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.outcomes.values())


def feed_batch_health(limit: int = FEED_BATCHES_SHOWN) -> list[FeedBatchHealth]:
    """The latest batches, newest first, with row counts by outcome: an unfinished (resumable) batch or a
    batch with many rejected rows is what an administrator needs to chase. Counts only, never a row."""
    batches = list(FeedBatch.objects.select_related("source").order_by("-started_at", "-pk")[:limit])
    counts: dict[int, dict[str, int]] = {batch.pk: {} for batch in batches}
    rows = (
        FeedBatch.objects.filter(pk__in=counts)
        .values("pk", "rows__outcome")
        .annotate(n=Count("rows"))
        .exclude(rows__outcome=None)
    )
    for row in rows:
        counts[row["pk"]][RowOutcome(row["rows__outcome"]).label] = row["n"]
    return [
        FeedBatchHealth(
            source=batch.source.code,
            batch_id=batch.batch_id,
            status=batch.get_status_display(),
            started_at=batch.started_at,
            completed_at=batch.completed_at,
            outcomes=counts[batch.pk],
        )
        for batch in batches
    ]


# The few records that are not ordinary (`children.models.Child`'s partial index `child_not_ordinary`,
# well under 1% of the index): the only ones a shred can leave behind for more than a night.
NOT_ORDINARY = Q(shielded=True) | ~Q(status=RecordStatus.ACTIVE)


@dataclass(frozen=True)
class LeftShredded:
    """Records still there whose own data key was shredded: counts and a date, never which records.

    Two sources, since neither sees every case. The database: a key destroyed there (`shredded_at`) while
    its record's row stayed, when is known; asked only of shielded, archived and closed records, through
    their small partial index, since an ordinary active one is deleted by the next nightly run (asking of
    every record would join every child to every key, tombstones of purged records included). The nightly
    run (`lifecycle:run:completed`, counts only): a merge that failed after its shred leaves the key
    refused at the provider and nothing in the database (its write rolled back), which only opening each
    key tells; the run opens every active record's key, deletes the unshielded ones and leaves the
    shielded ones (`removals_shielded`) and, past its limit, the rest (`removals_withheld`) for a person."""

    total: int
    shielded: int
    archived_or_closed: int
    oldest_shredded_at: datetime | None
    last_run_at: datetime | None
    last_run_shielded: int
    last_run_withheld: int

    @property
    def shielded_waiting(self) -> bool:
        return bool(self.shielded or self.last_run_shielded)

    @property
    def any_waiting(self) -> bool:
        return bool(self.total or self.last_run_shielded or self.last_run_withheld)


def records_left_shredded() -> LeftShredded:
    """Two queries, nothing opened or decrypted: an aggregate over the records whose key is destroyed in
    the database, and the last nightly run's counts. A rotated key's whole chain is shredded at once
    (`vault.keys.data_key_shred`), so the key a record points at tells."""
    found = Child.objects.filter(NOT_ORDINARY, data_key__shredded_at__isnull=False).aggregate(
        total=Count("pk"),
        shielded=Count("pk", filter=Q(shielded=True)),
        archived_or_closed=Count("pk", filter=~Q(status=RecordStatus.ACTIVE)),
        oldest=Min("data_key__shredded_at"),
    )
    last_run = (
        AuditEvent.objects.filter(tag=AuditTag.LifecycleRunCompleted)
        .order_by("-occurred_at", "-id")
        .values("occurred_at", "additional")
        .first()
    )
    counts = last_run["additional"] if last_run is not None else {}
    return LeftShredded(
        total=found["total"],
        shielded=found["shielded"],
        archived_or_closed=found["archived_or_closed"],
        oldest_shredded_at=found["oldest"],
        last_run_at=last_run["occurred_at"] if last_run is not None else None,
        last_run_shielded=int(counts.get("removals_shielded", 0)),
        last_run_withheld=int(counts.get("removals_withheld", 0)),
    )


@dataclass(frozen=True)
class TokenExpiring:
    """A live (not revoked) feed token expiring soon or already expired: as `feed_source tokens` lists it."""

    source: str
    token_id: int
    prefix: str
    expires_at: datetime
    last_used_at: datetime | None
    expired: bool


def tokens_expiring(within: timedelta = TOKEN_EXPIRY_WARNING) -> list[TokenExpiring]:
    """Every token not revoked that expires within `within` (or has expired), soonest first: a feed whose
    token expires stops. One query; live tokens are a handful per source."""
    now = timezone.now()
    rows = (
        FeedToken.objects.filter(revoked_at__isnull=True, expires_at__lte=now + within)
        .select_related("source")
        .order_by("expires_at", "pk")
    )
    return [
        TokenExpiring(
            source=row.source.code,
            token_id=row.pk,
            prefix=row.prefix,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            expired=row.expires_at <= now,
        )
        for row in rows
    ]
