"""Feed sources as machine identities: created, given tokens, tokens revoked, tokens checked.

A token is shown once, when issued; only its SHA-256 digest is stored. Tokens are 256 random bits, so a
fast hash cannot be brute-forced and lets every request be checked with one indexed lookup.
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, Role, User
from audit.services import event_record
from audit.tags import AuditTag
from feeds.models import DEFAULT_TRUST_RANK, FEED_FIELDS, FeedSource, FeedToken
from feeds.ratelimit import refused_token_audit_due

TOKEN_PREFIX = "cpf_"  # noqa: S105 - a public marker that says what a string is, not a secret


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


def feed_token_issue(*, source: FeedSource, issued_by: User | None = None) -> str:
    """A new token for `source`; the caller shows it once, it is never stored in clear."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = FeedToken.objects.create(source=source, digest=token_digest(token), prefix=token[:8])
        event_record(
            tag=AuditTag.FeedTokenIssued,
            actor=issued_by,
            additional={"source": source.code, "token_id": row.pk},
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
    """The source a live token belongs to, or None (unknown or revoked: the caller cannot tell which).

    A revoked token presented again is audited against its source: its use is the sign that it leaked.
    It is refused every time, and audited once a minute at most (`feeds.ratelimit`), so a leaked token
    hammering the API cannot flood the audit log; each event counts the refusals of the minute before.
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
    if row.revoked_at is not None:
        _refused_token_audit(row)
        return None
    return row.source


def source_entitlement(source: FeedSource) -> tuple[list[str], set[int]]:
    """The fields and LA ids a source is entitled to, comparable between two readings: a run or a request
    compares the one it began with against the source as it is now (`feeds.api`, `manage.py ingest`)."""
    return sorted(source.fields), set(source.local_authorities.values_list("pk", flat=True))


def feed_token_live(digest: str) -> bool:
    """Whether the token with this digest is still live: asked again while a request it authenticated
    works (`feeds.api`), so a revocation ends its writes within seconds, not when the request ends."""
    return FeedToken.objects.filter(digest=digest, revoked_at__isnull=True).exists()


def _refused_token_audit(row: FeedToken) -> None:
    """Audit the use of a revoked token against its source, the first in each minute only."""
    due, refused_minute_before = refused_token_audit_due(row.pk)
    if due:
        event_record(
            tag=AuditTag.FeedTokenRefused,
            actor=row.source.user,
            additional={
                "source": row.source.code,
                "token_id": row.pk,
                "refused_in_the_minute_before": refused_minute_before,
            },
        )
