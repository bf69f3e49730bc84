"""Shielding a record merged into another while the shielding page was on its way: refused, not a 500.

The shield waits for a merge of the record (it takes the child's key locks, as the merge does, before its
row); a merge folds the duplicate into the survivor and deletes it, so the row the shield then reads is
gone. The team is told the record was merged and that nothing was changed, as for a record archived or
moved since, and opens the surviving record to shield it.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle import moves_views
from lifecycle.forms import SHIELD_APPLY
from lifecycle.shielding import shield_set
from linkage.merging import child_merge
from tests.journeys import signed_in
from tests.personas import make_child

pytestmark = pytest.mark.django_db


def test_a_record_merged_away_before_the_shield_is_refused_with_a_message_and_nothing_written(
    world, monkeypatch
):
    survivor = make_child(world, given_names="Amelia")
    duplicate = make_child(world, given_names="Amelie")

    def merged_first(**kwargs):
        # A colleague's merge, committed while this request was on its way to the shield's lock.
        child_merge(survivor=Child.objects.get(pk=survivor.pk), duplicate=kwargs["child"], by=world.lena)
        return shield_set(**kwargs)

    monkeypatch.setattr(moves_views, "shield_set", merged_first)
    response = signed_in(world.lena).post(
        reverse("moves:shielding", args=[duplicate.pk]),
        {"reason": "Risk of harm", "confirm": "on", "change": SHIELD_APPLY},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "This record has been merged into another since you opened it: nothing was changed" in page
    assert not Child.objects.get(pk=survivor.pk).shielded
    assert not AuditEvent.objects.filter(tag=AuditTag.ShieldApplied).exists()
