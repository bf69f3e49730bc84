"""Undoing a merge whose surviving record is shielded never brings the other record back visible.

A shielded child's unshielded duplicate (the 2009 failure) is put right by merging it into the shielded
record; a record merged in and shielded afterwards is the same child at risk. Undoing either merge by one
click rebuilt the duplicate from its snapshot unshielded: found by its old postcode and shown in full to
any practitioner, with the carers that had moved into the shielded record (as they were updated there)
going back with it. As a "new child" decided on a shielded hold is created shielded, the restored record
is shielded until the LA team, sure it is another child, lifts it.
"""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.shielding import shield_set
from linkage.merging import child_merge
from linkage.tests.test_merge_pages import REASON, _pair
from tests.journeys import signed_in


def _found_by(client, **criteria) -> str:
    response = client.post(reverse("children:search"), criteria, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _undo(world, merge) -> str:
    response = signed_in(world.lena).post(
        reverse("linkage:merge_detail", args=[merge.pk]), REASON, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def test_undoing_a_merge_into_a_record_shielded_since_restores_the_duplicate_shielded(world):
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    shield_set(child=Child.objects.get(pk=survivor.pk), by=world.lena, shielded=True, reason="Risk of harm")

    page = _undo(world, merge)

    restored = Child.objects.get(index_number=duplicate.index_number)
    assert restored.shielded, "the restored record came back visible beside a shielded one"
    # An ordinary practitioner no longer finds it by the address it held.
    assert "Amelia-Rose" not in _found_by(signed_in(world.alice), family_name="Thorntone", postcode="LS6 1AA")
    event = AuditEvent.objects.get(tag=AuditTag.ChildUnmerged, child_id=restored.pk)
    assert event.additional["restored_shielded"] is True
    assert "restored shielded" in page


def test_undoing_a_merge_of_an_unshielded_duplicate_into_a_shielded_record_restores_it_shielded(world):
    survivor, duplicate = _pair(world, survivor_shielded=True)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    detail = signed_in(world.lena).get(reverse("linkage:merge_detail", args=[merge.pk])).content.decode()
    assert "is shielded now, the record restored is shielded too" in detail

    _undo(world, merge)

    assert [c.shielded for c in Child.objects.order_by("created_at")] == [True, True]


def test_undoing_a_merge_of_two_unshielded_records_restores_the_duplicate_unshielded(world):
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)

    _undo(world, merge)

    restored = Child.objects.get(index_number=duplicate.index_number)
    assert not restored.shielded
    assert "Amelia-Rose" in _found_by(signed_in(world.alice), family_name="Thorntone", postcode="LS6 1AA")
    event = AuditEvent.objects.get(tag=AuditTag.ChildUnmerged, child_id=restored.pk)
    assert event.additional["restored_shielded"] is False
