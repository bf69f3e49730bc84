"""Searches read from a replica; audit, accounts and every write stay on the primary."""

from django.db import connections

from accounts.models import Organisation, User
from audit.models import AuditEvent, SearchAppearance
from children.models import BlockingKeyEntry, Child
from config.routers import PrimaryReplicaRouter
from oversight.models import Alert
from vault.models import DataKey


def test_it_sends_search_reads_to_the_replica(settings):
    settings.DATABASE_REPLICAS = ["replica"]
    assert set(settings.DATABASES) == {"default", "replica"}
    for model in (Child, BlockingKeyEntry, DataKey):
        assert model.objects.all().db == "replica"


def test_it_keeps_audit_accounts_and_misuse_reads_on_the_primary(settings):
    settings.DATABASE_REPLICAS = ["replica"]
    for model in (AuditEvent, SearchAppearance, User, Organisation, Alert):
        assert model.objects.all().db == "default"


def test_it_sends_every_write_to_the_primary(settings):
    settings.DATABASE_REPLICAS = ["replica"]
    router = PrimaryReplicaRouter()
    for model in (Child, BlockingKeyEntry, DataKey, AuditEvent, User):
        assert router.db_for_write(model) == "default"


def test_it_reads_the_primary_inside_a_transaction(settings, monkeypatch):
    settings.DATABASE_REPLICAS = ["replica"]
    assert Child.objects.all().db == "replica"
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)  # as inside transaction.atomic()
    assert Child.objects.all().db == "default"


def test_with_no_replica_everything_uses_the_primary(settings):
    settings.DATABASE_REPLICAS = []
    assert Child.objects.all().db == "default"


def test_it_migrates_the_primary_only():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "children")
    assert not router.allow_migrate("replica", "children")
    assert router.allow_relation(Child(), DataKey())
