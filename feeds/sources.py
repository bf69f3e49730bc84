"""Feed sources as machine identities: created, given tokens, tokens revoked, tokens checked.

A token is shown once, when issued; only its SHA-256 digest is stored. Tokens are 256 random bits, so a
fast hash cannot be brute-forced and lets every request be checked with one indexed lookup. A token
expires (12 months after issue unless asked otherwise, at most 366 days): one copied into a script or a
config file and forgotten stops working on its own, not only when someone thinks to revoke it.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import models, transaction
from django.utils import timezone

from accounts.models import Organisation, Role, User
from audit.services import event_record
from audit.tags import AuditTag
from feeds.models import DEFAULT_TRUST_RANK, FEED_FIELDS, FeedSource, FeedToken
from feeds.ratelimit import WINDOW_SECONDS, refused_token_audit_due

TOKEN_PREFIX = "cpf_"  # noqa: S105 - a public marker that says what a string is, not a secret
# How long a token lives: 12 months unless the operator asks for fewer days (or a leap year's 366); never
# longer, so that every source's secret is renewed at least once a year.
TOKEN_DAYS_DEFAULT = 365
TOKEN_DAYS = (1, 366)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_source_create(
    *,
    code: str,
    organisation: Organisation,
    fields: list[str],
    local_authorities: list[Organisation],
    trust_rank: int = DEFAULT_TRUST_RANK,
    field_trust: dict[str, int] | None = None,
    created_by: User | None = None,
) -> FeedSource:
    """A machine identity (role FEED_SOURCE, no password) entitled to `fields` for `local_authorities`."""
    unknown = sorted(set(fields) - set(FEED_FIELDS))
    if unknown:
        raise ValueError(f"not a feed field: {', '.join(unknown)}")
    with transaction.atomic():
        user = User.objects.create_user(
            username=f"feed-{code}", organisation=organisation, role=Role.FEED_SOURCE
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        source = FeedSource.objects.create(
            user=user, code=code, fields=sorted(fields), trust_rank=trust_rank, field_trust=field_trust or {}
        )
        source.local_authorities.set(local_authorities)
        event_record(
            tag=AuditTag.FeedSourceCreated,
            actor=created_by,
            additional={
                "source": code,
                "fields": sorted(fields),
                "la_ids": sorted(la.pk for la in local_authorities),
            },
        )
    return source


def token_days_problem(days: int) -> str | None:
    """Why a token cannot be issued for `days`, or None."""
    if not TOKEN_DAYS[0] <= days <= TOKEN_DAYS[1]:
        return f"a token is issued for {TOKEN_DAYS[0]} to {TOKEN_DAYS[1]} days"
    return None


def feed_token_issue(
    *, source: FeedSource, issued_by: User | None = None, days: int = TOKEN_DAYS_DEFAULT
) -> str:
    """A new token for `source`, live for `days`; the caller shows it once, it is never stored in clear."""
    if problem := token_days_problem(days):
        raise ValueError(problem)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = FeedToken.objects.create(
            source=source,
            digest=token_digest(token),
            prefix=token[:8],
            expires_at=timezone.now() + timedelta(days=days),
        )
        event_record(
            tag=AuditTag.FeedTokenIssued,
            actor=issued_by,
            additional={"source": source.code, "token_id": row.pk, "expires_at": row.expires_at.isoformat()},
        )
    return token


def feed_token_revoke(*, token: FeedToken, revoked_by: User | None = None) -> bool:
    """Revoke `token` and audit it; False (nothing written, nothing audited) if it was revoked already.

    The row is locked and read again, so two revocations at once revoke and audit it once, and a token
    revoked earlier keeps the time it was revoked.
    """
    with transaction.atomic():
        row = FeedToken.objects.select_for_update().filter(pk=token.pk, revoked_at__isnull=True).first()
        if row is None:
            return False
        row.revoked_at = token.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        event_record(
            tag=AuditTag.FeedTokenRevoked,
            actor=revoked_by,
            additional={"source": row.source.code, "token_id": row.pk},
        )
    return True


def feed_source_authenticate(token: str) -> FeedSource | None:
    """The source a live token belongs to, or None (unknown, revoked or expired: the caller cannot tell
    which).

    A revoked or expired token presented again is audited against its source, with which it was: a
    revoked token's use is the sign that it leaked, an expired one's that a system still holds it. It is
    refused every time, and audited once a minute at most (`feeds.ratelimit`), so a leaked token
    hammering the API cannot flood the audit log; each event counts the refusals of the minute before.
    A live token's use is noted (`last_used_at`) at most once a minute, never a write per request.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = (
        FeedToken.objects.filter(digest=token_digest(token))
        .select_related("source__user__organisation")
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.revoked_at is not None or row.expires_at <= now:
        _refused_token_audit(row, reason="revoked" if row.revoked_at is not None else "expired")
        return None
    _used(row, now)
    return row.source


def _used(row: FeedToken, now: datetime) -> None:
    """Note that `row` was used, unless that was noted within the last minute: one conditional UPDATE a
    minute per token at most (requests of the same minute read the time already written and skip it)."""
    since = now - timedelta(seconds=WINDOW_SECONDS)
    if row.last_used_at is not None and row.last_used_at > since:
        return
    FeedToken.objects.filter(pk=row.pk).filter(
        models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lte=since)
    ).update(last_used_at=now)


def source_entitlement(source: FeedSource) -> tuple[list[str], set[int]]:
    """The fields and LA ids a source is entitled to, comparable between two readings: a run or a request
    compares the one it began with against the source as it is now (`feeds.api`, `manage.py ingest`)."""
    return sorted(source.fields), set(source.local_authorities.values_list("pk", flat=True))


def feed_token_live(digest: str) -> bool:
    """Whether the token with this digest is still live (neither revoked nor expired): asked again while a
    request it authenticated works (`feeds.api`), so a revocation or its expiry ends its writes within
    seconds, not when the request ends."""
    return FeedToken.objects.filter(
        digest=digest, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


def _refused_token_audit(row: FeedToken, *, reason: str) -> None:
    """Audit the use of a revoked or expired token against its source, the first in each minute only."""
    due, refused_minute_before = refused_token_audit_due(row.pk)
    if due:
        event_record(
            tag=AuditTag.FeedTokenRefused,
            actor=row.source.user,
            additional={
                "source": row.source.code,
                "token_id": row.pk,
                "reason": reason,
                "refused_in_the_minute_before": refused_minute_before,
            },
        )
