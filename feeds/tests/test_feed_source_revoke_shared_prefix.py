"""`manage.py feed_source revoke --prefix`: a prefix that two live tokens share names neither, so nothing
is revoked (the wrong token could have been), and the command fails for the operator to see."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from feeds.models import FeedToken
from feeds.sources import feed_source_authenticate, feed_token_issue
from feeds.tests.factories import health_source


def _events(tag):
    return AuditEvent.objects.filter(tag=tag).count()


def test_a_prefix_two_live_tokens_share_revokes_neither_and_fails(world):
    source = health_source(world)
    first, second = feed_token_issue(source=source), feed_token_issue(source=source)
    FeedToken.objects.filter(prefix=second[:8]).update(prefix=first[:8])  # the 8 characters collide
    revoked_before = _events(AuditTag.FeedTokenRevoked)
    with pytest.raises(CommandError, match="more than one live token of this source starts with that prefix"):
        call_command("feed_source", "revoke", "health", "--prefix", first[:8], stdout=StringIO())
    assert feed_source_authenticate(first) == source and feed_source_authenticate(second) == source
    assert not FeedToken.objects.filter(revoked_at__isnull=False).exists()
    assert _events(AuditTag.FeedTokenRevoked) == revoked_before


def test_a_prefix_shared_with_a_revoked_token_still_revokes_the_one_live_token(world):
    source = health_source(world)
    old, live = feed_token_issue(source=source), feed_token_issue(source=source)
    FeedToken.objects.filter(prefix=live[:8]).update(prefix=old[:8])
    FeedToken.objects.filter(pk=FeedToken.objects.order_by("pk")[0].pk).update(revoked_at=timezone.now())
    out = StringIO()
    call_command("feed_source", "revoke", "health", "--prefix", old[:8], stdout=out)
    assert "Token revoked." in out.getvalue()
    assert feed_source_authenticate(old) is None and feed_source_authenticate(live) is None
    assert FeedToken.objects.filter(revoked_at__isnull=True).count() == 0
