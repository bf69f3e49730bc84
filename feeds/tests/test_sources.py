"""Feed sources are machine identities: hashed, revocable tokens; a declared entitlement of fields and LAs."""

import hashlib

from django.utils import timezone

from access.permissions import Permission
from access.policy import decide, feed_row_decide
from audit.models import AuditEvent
from audit.tags import AuditTag
from feeds.models import FeedToken
from feeds.sources import feed_source_authenticate, feed_token_issue, feed_token_revoke
from feeds.tests.factories import health_source


def test_registering_a_source_is_audited_with_its_entitlement(world):
    source = health_source(world, fields=("family_name", "given_names"))
    event = AuditEvent.objects.get(tag=AuditTag.FeedSourceCreated)
    assert event.additional == {
        "source": source.code,
        "fields": ["family_name", "given_names"],
        "la_ids": [world.north.pk],
    }


def test_a_token_is_stored_only_as_its_digest(world):
    source = health_source(world)
    token = feed_token_issue(source=source)
    row = FeedToken.objects.get()
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.digest, row.prefix} and token[8:] not in str(row.__dict__)
    assert feed_source_authenticate(token) == source
    assert AuditEvent.objects.filter(tag=AuditTag.FeedTokenIssued).exists()


def test_a_revoked_token_is_refused(world):
    source = health_source(world)
    token = feed_token_issue(source=source)
    feed_token_revoke(token=FeedToken.objects.get())
    assert feed_source_authenticate(token) is None
    assert feed_source_authenticate("cpf_guessed") is None
    assert AuditEvent.objects.filter(tag=AuditTag.FeedTokenRevoked).exists()


def test_a_feed_source_may_submit_without_person_vetting_but_not_when_suspended(world):
    source = health_source(world)
    assert decide(actor=source.user, action=Permission.FeedSubmit)
    source.user.suspended_at = timezone.now()
    assert decide(actor=source.user, action=Permission.FeedSubmit).reason == "suspended"


def test_a_person_cannot_submit_feed_batches(world):
    assert decide(actor=world.alice, action=Permission.FeedSubmit).reason == "not_a_feed_source"


def test_a_feed_source_can_do_nothing_but_submit(world):
    source = health_source(world)
    assert not decide(actor=source.user, action=Permission.ChildSearch)


def test_a_field_outside_the_entitlement_is_refused_naming_the_field(world):
    source = health_source(world, fields=("given_names", "family_name", "date_of_birth"))
    decision = feed_row_decide(
        source=source, fields={"given_names", "postcode"}, local_authority_id=world.north.pk
    )
    assert decision.reason == "field_not_entitled"
    assert decision.message == "The row has fields this source is not entitled to supply: postcode"


def test_a_local_authority_outside_the_entitlement_is_refused(world):
    source = health_source(world)
    decision = feed_row_decide(source=source, fields={"given_names"}, local_authority_id=world.south.pk)
    assert decision.reason == "la_not_entitled"
