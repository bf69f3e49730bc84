"""An unmerge that fails after its snapshot's key was revoked (a review's finding, Medium).

The unmerge's last step shreds the merge's sealed copy: the key provider is told first (fail closed), outside
the database transaction. When the unmerge then fails (the commit lost with the connection, a full disk),
everything rolls back except that: the merge still reads as in place and not shredded, but its key never
opens again. Every reader of that key then failed with a server error: the survivor's subject access report
(a legal duty), running the unmerge again, merging the survivor into another record, undoing the survivor's
other merges. Now a copy whose key no longer opens reads as destroyed (as `linkage.retention._brought_by`
already did), the unmerge is refused in words, and the row is blanked before the key is revoked, so a
failing blanking leaves the merge whole; only a failure after the revoke (the commit) can still leave that
state.
"""

import html

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from corrections.fields import field_for
from corrections.services import correction_raise, correction_reject
from linkage.merging import MergeRefused, child_merge, child_unmerge
from linkage.models import ChildMerge
from reports.subject_access import subject_access_report
from tests.journeys import signed_in
from tests.personas import make_child
from vault.crypto import KeyRevoked
from vault.models import DataKey
from vault.sealing import Sealer

DESTROYED = "this merge's saved copy was destroyed: it can no longer be undone"


class _Interrupted(Exception):
    """The failure after the shred (the commit lost with the connection, a full disk)."""


def _duplicate_with_a_rejected_correction(world, *, given_names: str, postcode: str, why: str) -> Child:
    duplicate = make_child(world, given_names=given_names, family_name="Thorntone", postcode=postcode)
    date_of_birth = field_for("date_of_birth")
    assert date_of_birth is not None
    asked = correction_raise(
        child=duplicate,
        field=date_of_birth,
        value="2015-03-05",
        reason="Checked",
        by=world.alice,
    )
    correction_reject(correction=asked, by=world.lena, reason=why)
    return duplicate


def unmerge_failed_after_its_shred(monkeypatch, *, merge: ChildMerge, by) -> ChildMerge:
    """Run the unmerge, failing once its snapshot's key is shredded, as a lost commit would."""
    import linkage.merging

    real_shred = linkage.merging.merge_snapshot_shred

    def shred_then_fail(shredded: ChildMerge) -> None:
        real_shred(shredded)
        raise _Interrupted

    with monkeypatch.context() as patched:
        patched.setattr(linkage.merging, "merge_snapshot_shred", shred_then_fail)
        with pytest.raises(_Interrupted):
            child_unmerge(merge=merge, by=by, reason="two children")
    merge = ChildMerge.objects.select_related("data_key").get(pk=merge.pk)
    # Rolled back: the merge reads as in place and not shredded, but the provider refuses its key.
    assert merge.unmerged_at is None and merge.snapshot_shredded_at is None
    with pytest.raises(KeyRevoked):
        Sealer(merge.data_key)
    return merge


@pytest.fixture
def survivor_of_two_merges(world, monkeypatch):
    """A survivor of two merges, each duplicate with a rejected correction; the first merge's unmerge failed
    after its shred."""
    survivor = make_child(world)
    first = _duplicate_with_a_rejected_correction(
        world, given_names="Amelia-Rose", postcode="LS6 1AA", why="First: birth register says the 4th"
    )
    second = _duplicate_with_a_rejected_correction(
        world, given_names="Amelia-Jane", postcode="LS6 2AA", why="Second: the school's record says the 4th"
    )
    broken = child_merge(survivor=survivor, duplicate=first, by=world.lena, reason="same child")
    kept = child_merge(survivor=survivor, duplicate=second, by=world.lena, reason="same child")
    broken = unmerge_failed_after_its_shred(monkeypatch, merge=broken, by=world.lena)
    return Child.objects.get(pk=survivor.pk), broken, kept


def test_the_unmerge_tried_again_is_refused_in_words_on_the_page(world, survivor_of_two_merges):
    _, broken, _ = survivor_of_two_merges
    url = reverse("linkage:merge_detail", args=[broken.pk])
    response = signed_in(world.lena).post(url, {"reason": "two children", "confirmed": "on"}, follow=True)
    assert response.status_code == 200
    assert f"Nothing was changed: {DESTROYED}." in html.unescape(response.content.decode())
    broken.refresh_from_db()
    assert broken.unmerged_at is None
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildUnmerged).exists()


def test_the_unmerge_tried_again_by_the_service_is_refused(world, survivor_of_two_merges):
    _, broken, _ = survivor_of_two_merges
    with pytest.raises(MergeRefused, match=DESTROYED):
        child_unmerge(merge=broken, by=world.lena, reason="two children")


def test_once_a_key_rotation_recorded_the_revoked_key_as_shredded_it_still_reads_as_destroyed(
    world, survivor_of_two_merges
):
    """A KEK rotation writes what the shred's own write would have (`vault.rotation`): the key row then says
    shredded (`KeyShredded`), while the merge row still does not."""
    survivor, broken, _ = survivor_of_two_merges
    DataKey.objects.filter(pk=broken.data_key_id).update(wrapped=b"", shredded_at=timezone.now())
    broken = ChildMerge.objects.select_related("data_key").get(pk=broken.pk)
    with pytest.raises(MergeRefused, match=DESTROYED):
        child_unmerge(merge=broken, by=world.lena, reason="two children")
    report = subject_access_report(child=survivor, produced_by=world.lena, reference="SAR-1")
    assert [c.why_rejected for c in report.corrections] == ["Second: the school's record says the 4th"]


def test_the_survivors_subject_access_report_lists_the_corrections_the_other_merge_kept(
    world, survivor_of_two_merges
):
    survivor, _, _ = survivor_of_two_merges
    report = subject_access_report(child=survivor, produced_by=world.lena, reference="SAR-1")
    # The broken merge's copy is destroyed: it has no corrections left to list; the other merge's are there.
    assert [c.why_rejected for c in report.corrections] == ["Second: the school's record says the 4th"]
    page = signed_in(world.lena).post(
        reverse("audit:subject_access", args=[survivor.pk]),
        {"identity_checked": "on", "reference": "SAR-2", "withhold_covert": "on"},
    )
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "Second: the school's record says the 4th" in text and "First: birth register" not in text


def test_the_survivors_other_merge_can_still_be_undone(world, survivor_of_two_merges):
    survivor, broken, kept = survivor_of_two_merges
    restored = child_unmerge(merge=kept, by=world.lena, reason="two children")
    assert restored.index_number == kept.duplicate_index_number
    assert ChildMerge.objects.get(pk=kept.pk).unmerged_at is not None
    assert ChildMerge.objects.get(pk=broken.pk).unmerged_at is None  # still in place, as it was
    # The undone merge's names are taken off the survivor; the broken merge's, still in place, stay.
    formers = [
        (f.given_names, f.family_name) for f in child_details(Child.objects.get(pk=survivor.pk)).former_names
    ]
    assert ("Amelia-Jane", "Thorntone") not in formers and ("Amelia-Rose", "Thorntone") in formers


def test_the_survivor_can_be_merged_into_another_record(world, survivor_of_two_merges):
    survivor, broken, _ = survivor_of_two_merges
    other = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS2 7EY")
    merge = child_merge(survivor=other, duplicate=survivor, by=world.lena, reason="same child")
    assert not Child.objects.filter(pk=survivor.pk).exists()
    assert not ChildMerge.objects.filter(pk=broken.pk).exists()  # went with its survivor, as merges do
    # The corrections the other merge kept are carried on; the destroyed copy's are gone.
    report = subject_access_report(child=other, produced_by=world.lena, reference="SAR-3")
    assert [c.why_rejected for c in report.corrections] == ["Second: the school's record says the 4th"]
    assert merge.survivor_id == other.pk


def test_an_unmerge_whose_blanking_fails_leaves_the_merge_whole_to_undo_again(world, monkeypatch):
    """The row is blanked before the key is revoked: a write that fails revokes nothing."""
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thorntone", postcode="LS6 1AA")
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="same child")
    real_update = QuerySet.update

    def blanking_fails(self, **kwargs):
        if self.model is ChildMerge and "snapshot" in kwargs:
            raise _Interrupted
        return real_update(self, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(QuerySet, "update", blanking_fails)
        with pytest.raises(_Interrupted):
            child_unmerge(merge=merge, by=world.lena, reason="two children")
    merge = ChildMerge.objects.select_related("data_key").get(pk=merge.pk)
    Sealer(merge.data_key).unseal(merge, "snapshot")  # the key still opens
    restored = child_unmerge(merge=merge, by=world.lena, reason="two children")
    assert restored.index_number == duplicate.index_number
    merge.refresh_from_db()
    assert merge.unmerged_at is not None and merge.snapshot_shredded_at is not None


def test_the_merge_page_says_the_copy_is_destroyed_and_offers_no_undo(world, survivor_of_two_merges):
    """Before, the page offered "Undo the merge" for a merge that can no longer be undone, refused only
    once posted."""
    _, broken, _ = survivor_of_two_merges
    page = html.unescape(
        signed_in(world.lena).get(reverse("linkage:merge_detail", args=[broken.pk])).content.decode()
    )
    assert "Merged. This merge's saved copy was destroyed: it can no longer be undone." in page
    assert "Undo the merge" not in page


def test_a_merge_whose_copy_opens_still_offers_its_undo(world, survivor_of_two_merges):
    _, _, whole = survivor_of_two_merges
    page = html.unescape(
        signed_in(world.lena).get(reverse("linkage:merge_detail", args=[whole.pk])).content.decode()
    )
    assert "Undo the merge" in page and "destroyed" not in page
