"""`manage.py feed_source revoke --token-id`: one token revoked exactly, even when a prefix is shared.

Two live tokens of a source sharing their 8-character prefix cannot be told apart by `--prefix` (it
refuses, revoking neither); the token's id names it exactly, and the refusal says so and lists the ids.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from audit.tags import AuditTag
from feeds.models import FeedToken
from feeds.sources import feed_source_authenticate, feed_token_issue, feed_token_revoke
from feeds.tests.factories import health_source


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("feed_source", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _two_tokens_sharing_a_prefix(world):
    source = health_source(world)
    first, second = feed_token_issue(source=source), feed_token_issue(source=source)
    FeedToken.objects.filter(prefix=second[:8]).update(prefix=first[:8])
    return source, first, second


def test_a_token_sharing_its_prefix_is_revoked_by_its_id_alone_and_audited(world):
    source, first, second = _two_tokens_sharing_a_prefix(world)
    second_row = FeedToken.objects.order_by("pk").last()
    out, _ = _run("revoke", "health", "--token-id", str(second_row.pk))
    assert "Token revoked." in out
    assert feed_source_authenticate(second) is None
    assert feed_source_authenticate(first) == source
    event = AuditEvent.objects.get(tag=AuditTag.FeedTokenRevoked)
    assert event.additional == {"source": "health", "token_id": second_row.pk}


def test_the_shared_prefix_refusal_names_the_token_id_option_and_the_tokens_ids(world):
    _, first, _ = _two_tokens_sharing_a_prefix(world)
    ids = [str(pk) for pk in FeedToken.objects.order_by("pk").values_list("pk", flat=True)]
    with pytest.raises(CommandError) as refused:
        _run("revoke", "health", "--prefix", first[:8])
    message = str(refused.value)
    assert "nothing was revoked" in message
    assert "--token-id" in message
    for pk in ids:
        assert pk in message
    assert first not in message  # the token itself is never printed again


def test_a_token_id_of_another_source_is_refused_and_revokes_nothing(world):
    health_source(world)
    other = health_source(world, code="census")
    token = feed_token_issue(source=other)
    row = FeedToken.objects.get()
    with pytest.raises(CommandError, match="no live token of this source has that id"):
        _run("revoke", "health", "--token-id", str(row.pk))
    assert feed_source_authenticate(token) == other
    assert not AuditEvent.objects.filter(tag=AuditTag.FeedTokenRevoked).exists()


def test_a_token_revoked_already_is_not_revoked_or_audited_again(world):
    source = health_source(world)
    feed_token_issue(source=source)
    row = FeedToken.objects.get()
    _run("revoke", "health", "--token-id", str(row.pk))
    revoked_at = FeedToken.objects.get().revoked_at
    with pytest.raises(CommandError, match="no live token of this source has that id"):
        _run("revoke", "health", "--token-id", str(row.pk))
    assert FeedToken.objects.get().revoked_at == revoked_at
    assert AuditEvent.objects.filter(tag=AuditTag.FeedTokenRevoked).count() == 1


def test_revoke_needs_exactly_one_of_prefix_or_token_id(world):
    source = health_source(world)
    token = feed_token_issue(source=source)
    row = FeedToken.objects.get()
    with pytest.raises(CommandError, match="--prefix or --token-id"):
        _run("revoke", "health")
    with pytest.raises(CommandError, match="--prefix or --token-id"):
        _run("revoke", "health", "--prefix", token[:8], "--token-id", str(row.pk))
    assert feed_source_authenticate(token) == source


def test_issuing_a_token_tells_the_operator_its_id_for_a_later_revoke(world):
    health_source(world)
    out, err = _run("token", "health")
    row = FeedToken.objects.get()
    assert out.strip().startswith("cpf_")
    assert f"token id {row.pk}" in err
    assert out.strip().count("\n") == 0  # stdout stays the token alone, for a script to read


def test_the_tokens_listing_shows_ids_prefixes_and_state_never_a_digest(world):
    source = health_source(world)
    first = feed_token_issue(source=source)
    feed_token_issue(source=source)
    _run("revoke", "health", "--prefix", first[:8])
    out, _ = _run("tokens", "health")
    rows = FeedToken.objects.order_by("pk")
    for row in rows:
        assert str(row.pk) in out and row.prefix in out
        assert row.digest not in out
    assert "revoked" in out and "live" in out


def test_revoking_a_token_read_before_another_revocation_changes_and_audits_nothing(world):
    """Two operators revoking one token at once: the second, holding the row as read before the first
    committed, neither moves the time it was revoked nor writes a second event."""
    source = health_source(world)
    feed_token_issue(source=source)
    stale = FeedToken.objects.get()
    assert feed_token_revoke(token=FeedToken.objects.get())
    revoked_at = FeedToken.objects.get().revoked_at
    assert not feed_token_revoke(token=stale)
    assert FeedToken.objects.get().revoked_at == revoked_at
    assert AuditEvent.objects.filter(tag=AuditTag.FeedTokenRevoked).count() == 1
