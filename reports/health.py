"""Service health for the system administrator: the state of the audit log's signing and of the keys.

Nothing here is about a child: sizes, times, key ids and versions, and how far a key rotation has got.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

from audit.models import AuditEvent, AuditHead
from audit.signing import SigningKeyError, key_id, signing_key
from feeds.models import FeedBatch, RowOutcome
from vault.models import DataKey
from vault.providers import key_provider

# How many of the latest feed batches the page lists.
FEED_BATCHES_SHOWN = 20
# A head older than this, with events after it, means the checkpoint job has stopped.
CHECKPOINT_STALE_AFTER = timedelta(minutes=15)


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
    live = DataKey.objects.filter(shredded_at__isnull=True)
    by_kek = {row["kek_version"]: row["n"] for row in live.values("kek_version").annotate(n=Count("id"))}
    return KeyHealth(
        signing_key_id=signing_id,
        signing_key_problem=problem,
        signing_key_changed=_file_changed(getattr(settings, "AUDIT_SIGNING_KEY_FILE", None)),
        kek_current=current,
        kek_versions=sorted(provider.kek_versions()),
        vault_key_file_changed=_file_changed(getattr(settings, "VAULT_KEY_FILE", None)),
        data_keys_by_kek=dict(sorted(by_kek.items())),
        oldest_data_key=live.aggregate(oldest=Min("created_at"))["oldest"],
        rotation_pending=live.exclude(kek_version=current).count(),
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
