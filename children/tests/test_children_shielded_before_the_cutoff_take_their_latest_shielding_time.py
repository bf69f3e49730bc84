"""Migration children/0011 gives each child shielded before `Child.found_anew_after` existed the time of
its latest shielding in the audit log, so a search made before that stops identifying it at once, as for a
shield applied since. A child shielded with no such event (created shielded) and an ordinary one keep
NULL: nothing says when, and every search still identifies them."""

import importlib
from datetime import timedelta

import time_machine
from django.apps import apps
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.shielding import shield_set
from tests.personas import make_child

MIGRATION = importlib.import_module("children.migrations.0011_child_found_anew_after")


def test_a_child_shielded_before_takes_the_time_of_its_latest_shielding(world, child):
    created_shielded = make_child(world, given_names="Jasmine", family_name="Okafor", shielded=True)
    for days_ago in (30, 10):
        with time_machine.travel(timezone.now() - timedelta(days=days_ago)):
            shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk")
            shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=False, reason="Gone")
    shield_set(child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Back")
    ordinary = make_child(world, given_names="Noah", family_name="Begum")
    Child.objects.update(found_anew_after=None)  # as the column is added

    MIGRATION.shielded_at_backfilled(apps, None)  # reads and writes rows only: no schema editor needed

    latest = AuditEvent.objects.filter(tag=AuditTag.ShieldApplied, child_id=child.pk).latest("pk").occurred_at
    assert Child.objects.get(pk=child.pk).found_anew_after == latest
    assert Child.objects.get(pk=created_shielded.pk).found_anew_after is None
    assert Child.objects.get(pk=ordinary.pk).found_anew_after is None
