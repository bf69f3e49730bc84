"""A merge that fails after the duplicate's key was shredded (DECISIONS 19, Left).

The shred tells the key provider first (fail closed), outside the database transaction: when the merge
then fails, everything rolls back except that. The duplicate stayed an active record whose key no longer
opens: the nightly purge (archived and closed records only) never deleted it, and running the merge again
failed with a server error, reading the duplicate's sealed values. Now the nightly run completes its
removal as a purge would, the merge is refused in words, and the merge shreds last, so only a failure of
the commit itself can leave that state.
"""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Carer, Child, Involvement
from children.records import InvolvementDetails
from children.selectors import child_details
from children.services import involvement_record
from lifecycle.services import lifecycle_run
from linkage.merging import MergeRefused, child_merge
from linkage.models import CarriedIdentity, ChildMerge
from tests.journeys import signed_in
from tests.personas import make_child
from vault.keys import data_key_open


class _Interrupted(Exception):
    """The failure after the shred (the commit lost with the connection, a full disk)."""


def _pair(world):
    survivor = make_child(world)
    duplicate = make_child(world, family_name="Thorntone", given_names="Amelia-Rose", postcode="LS6 1AA")
    involvement_record(
        child=duplicate,
        by=world.alice,
        details=InvolvementDetails(
            "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
        ),
    )
    return survivor, duplicate


def merge_failed_after_its_shred(monkeypatch, *, survivor, duplicate, by) -> None:
    """Run the merge, failing once the duplicate's key is shredded, as a lost commit would."""
    import linkage.merging

    real_shred = linkage.merging.data_key_shred

    def shred_then_fail(key):
        real_shred(key)
        raise _Interrupted

    with monkeypatch.context() as patched:
        patched.setattr(linkage.merging, "data_key_shred", shred_then_fail)
        with pytest.raises(_Interrupted):
            child_merge(survivor=survivor, duplicate=duplicate, by=by)
    assert Child.objects.filter(pk=duplicate.pk).exists()
    assert not ChildMerge.objects.filter(duplicate_id=duplicate.pk).exists()


@pytest.fixture
def left_shredded(world, monkeypatch):
    survivor, duplicate = _pair(world)
    survivor_before = child_details(survivor)
    merge_failed_after_its_shred(monkeypatch, survivor=survivor, duplicate=duplicate, by=world.lena)
    return survivor, duplicate, survivor_before


def test_the_nightly_run_deletes_the_duplicate_a_failed_merge_left_shredded(left_shredded):
    survivor, duplicate, survivor_before = left_shredded
    report = lifecycle_run()
    assert not Child.objects.filter(pk=duplicate.pk).exists()
    assert not Involvement.objects.filter(child_id=duplicate.pk).exists()
    assert not Carer.objects.filter(child_id=duplicate.pk).exists()
    assert report.removals_completed == 1 and report.unreadable == 0 and report.failed == 0
    # The survivor is as it was before the merge: the merge never happened.
    assert child_details(Child.objects.get(pk=survivor.pk)) == survivor_before


def test_a_second_run_finds_nothing_more_to_remove(left_shredded):
    lifecycle_run()
    report = lifecycle_run()
    assert report.removals_completed == 0 and report.unreadable == 0


def test_the_removal_is_audited_with_counts_only(left_shredded):
    _, duplicate, _ = left_shredded
    lifecycle_run()
    [event] = AuditEvent.objects.filter(tag=AuditTag.RemovalCompleted)
    assert event.child_id == duplicate.pk and event.actor_id is None
    assert event.additional == {"carers_deleted": 1, "involvements_deleted": 1}
    assert AuditEvent.objects.filter(tag=AuditTag.ChildShredded, child_id=duplicate.pk).count() == 1
    stored = str(event.additional)
    for personal in ("Thorntone", "Amelia", "LS6", duplicate.index_number):
        assert personal not in stored


def test_running_the_merge_again_is_refused_in_words(world, left_shredded):
    survivor, duplicate, _ = left_shredded
    with pytest.raises(MergeRefused, match="has been removed"):
        child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    assert Child.objects.filter(pk=duplicate.pk).exists()
    assert not ChildMerge.objects.exists()


def test_the_merge_pages_say_the_record_was_removed(world, left_shredded):
    survivor, duplicate, _ = left_shredded
    client = signed_in(world.lena)
    url = reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk])
    response = client.get(url)
    assert response.status_code == 410
    page = response.content.decode()
    assert "This record has been removed" in page and "Thorntone" not in page
    [shown] = AuditEvent.objects.filter(tag=AuditTag.RecordRemovedShown)
    assert (shown.child_id, shown.additional["page"]) == (duplicate.pk, "linkage:merge_compare")
    assert not AuditEvent.objects.filter(tag=AuditTag.MergeCompared).exists()  # nothing was shown

    form = {"reason": "Same NHS number and date of birth", "confirmed": "on"}
    response = client.post(url, form, follow=True)
    page = response.content.decode()
    assert "Nothing was changed: one of these records has been removed" in page
    assert "will be deleted overnight" in page and "Thorntone" not in page
    assert not ChildMerge.objects.exists()


def test_a_failure_before_the_shred_leaves_the_duplicate_readable_and_the_merge_can_run_again(
    world, monkeypatch
):
    """The merge's own later work (the family-match keys, its audit event) now comes before the shred."""
    import linkage.merging

    survivor, duplicate = _pair(world)

    def fail(**kwargs):
        raise _Interrupted

    with monkeypatch.context() as patched:
        patched.setattr(linkage.merging, "carer_keys_refresh", fail)
        with pytest.raises(_Interrupted):
            child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    kept = Child.objects.select_related("data_key").get(pk=duplicate.pk)
    data_key_open(kept.data_key)  # still opens
    assert child_details(kept).family_name == "Thorntone"
    child_merge(survivor=survivor, duplicate=kept, by=world.lena)
    assert not Child.objects.filter(pk=duplicate.pk).exists()


def test_copies_a_removed_duplicate_carried_die_with_it(world, monkeypatch):
    """The duplicate carried an earlier merge's identity: nobody carries either on now (its merge never
    happened), so the earlier merge's sealed copy is shredded and the identities forgotten, as a purge."""
    earlier = make_child(world, given_names="Rose", family_name="Thornton-Lee")
    survivor, duplicate = _pair(world)
    first = child_merge(survivor=duplicate, duplicate=earlier, by=world.lena)
    merge_failed_after_its_shred(monkeypatch, survivor=survivor, duplicate=duplicate, by=world.lena)
    lifecycle_run()
    assert not ChildMerge.objects.filter(pk=first.pk).exists()
    assert not CarriedIdentity.objects.filter(carrier_id=duplicate.pk).exists()
    copies = AuditEvent.objects.get(tag=AuditTag.ChildCopiesShredded, child_id=duplicate.pk)
    assert copies.additional["merges_shredded"] == 1
