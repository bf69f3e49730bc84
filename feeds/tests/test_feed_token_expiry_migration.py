"""Tokens issued before tokens expired: migration feeds/0003 gives each an expiry 12 months from the
migration's run (none is left without one, and none stops working the day it is deployed)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feeds.tests.factories import health_source
from tests.migrations import migrate_to

BEFORE = [("feeds", "0002_initial")]
AFTER = [("feeds", "0003_feedtoken_expires_at")]


@pytest.mark.django_db(transaction=True)
def test_tokens_issued_before_expire_twelve_months_after_the_migration(world):
    source = health_source(world)
    executor = migrate_to(BEFORE)
    OldToken = executor.loader.project_state(BEFORE).apps.get_model("feeds", "FeedToken")
    OldToken.objects.create(source_id=source.pk, digest="a" * 64, prefix="cpf_aaaa")
    ran = timezone.now()
    try:
        executor = migrate_to(AFTER)
        NewToken = executor.loader.project_state(AFTER).apps.get_model("feeds", "FeedToken")
        expires = NewToken.objects.get().expires_at
        assert ran + timedelta(days=365) <= expires <= timezone.now() + timedelta(days=365)
    finally:
        migrate_to(None)
