"""Corrections and complaint pages of a record whose purge failed after its shred.

The purge tells the key provider first (fail closed), so a purge failing after its shred leaves the
record's rows until the next night's run, under a key that no longer opens. Every page that opened the
key then failed with a server error: the complaint page, "my corrections" for a raiser with a rejected
correction on it, the correction decision page (a merge failing after its shred leaves a pending one).
Now each says so in words ("This record has been removed"), or lists the item without its details, and
the look stays audited.
"""

from datetime import date

from django.urls import reverse

from audit.tags import AuditTag
from corrections.fields import field_for
from corrections.models import Complaint, ComplaintStatus, Correction, CorrectionStatus
from corrections.services import complaint_version, correction_raise, correction_reject
from corrections.tests.support import complaint_from_the_child, events
from lifecycle.services import child_purge, lifecycle_run
from lifecycle.tests.support import move_to
from tests.journeys import signed_in, state_purpose
from tests.pages import rendered, without_tokens
from tests.shredding import purge_failed_after_its_shred, shred_rolled_back

REMOVED = "This record has been removed"
ARCHIVED_ON = date(2033, 3, 4)  # Amelia's 18th birthday (lifecycle.tests.conftest)


def _archived(clock, child):
    move_to(clock, ARCHIVED_ON)
    lifecycle_run()


def _removed_page(response) -> str:
    assert response.status_code == 410, response.status_code
    page = without_tokens(response.content.decode())
    assert REMOVED in page
    return page


def test_the_complaint_page_of_a_record_shredded_but_not_purged_says_it_was_removed(
    clock, world, child, monkeypatch
):
    complaint = complaint_from_the_child(world, child)
    _archived(clock, child)
    purge_failed_after_its_shred(monkeypatch, child)
    client = signed_in(world.lena)
    url = reverse("corrections:complaint", args=[complaint.pk])

    page = _removed_page(client.get(url))

    assert "Says the school on the record is wrong" not in page
    [shown] = events(AuditTag.RecordRemovedShown, page="corrections:complaint")
    assert (shown.actor_id, shown.child_id) == (world.lena.pk, child.pk)
    assert shown.additional["complaint_id"] == str(complaint.pk)
    # A save from a page opened before changes nothing and says the same.
    form = {"status": "acknowledged", "version": complaint_version(complaint)}
    form |= {"acknowledged_day": "5", "acknowledged_month": "3", "acknowledged_year": "2033"}
    _removed_page(client.post(url, form))
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.RECEIVED
    assert events(AuditTag.ComplaintUpdated) == []
    # The next night's purge completes, and the page is not found, as for any record purged.
    assert child_purge(child_id=child.pk)
    assert client.get(url).status_code == 404


def test_my_corrections_lists_one_on_a_record_shredded_but_not_purged_without_its_details(
    clock, world, child, monkeypatch
):
    rejected = correction_raise(
        child=child, field=field_for("family_name"), value="Thorneton", reason="Seen", by=world.alice
    )
    correction_reject(correction=rejected, by=world.lena, reason="Register says Thornton")
    _archived(clock, child)
    purge_failed_after_its_shred(monkeypatch, child)

    page = rendered(signed_in(world.alice).get(reverse("corrections:mine")), heading="Your corrections")

    assert REMOVED in page
    assert "Register says Thornton" not in page
    [viewed] = events(AuditTag.CorrectionsOwnViewed)
    assert viewed.additional["correction_ids"] == [str(rejected.pk)]
    assert viewed.additional["reasons_opened"] == []


def test_the_decision_page_of_a_correction_on_a_record_shredded_but_not_deleted_says_it_was_removed(
    world, child
):
    pending = correction_raise(
        child=child, field=field_for("given_names"), value="Amy", reason="Seen", by=world.alice
    )
    shred_rolled_back(child)
    url = reverse("corrections:decide", args=[pending.pk])

    for decider in (world.lena, world.dara):
        page = _removed_page(signed_in(decider).get(url))
        assert "Amy" not in page

    # A decision sent from a page opened before changes nothing and says the same.
    for decision in ({"decision": "accept"}, {"decision": "reject", "reason": "Register says Amelia"}):
        _removed_page(signed_in(world.lena).post(url, decision))
    assert Correction.objects.get(pk=pending.pk).status == CorrectionStatus.PENDING

    assert len(events(AuditTag.RecordRemovedShown, page="corrections:decide")) == 4
    assert events(AuditTag.CorrectionOpened) == []
    # The queue still lists it, as ids and a field name only.
    rendered(
        signed_in(world.lena).get(reverse("corrections:queue")), heading="Corrections waiting for a decision"
    )


def test_asking_for_a_correction_of_a_record_shredded_but_not_deleted_says_it_was_removed(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    shred_rolled_back(child)

    _removed_page(client.get(reverse("corrections:choose", args=[child.pk])))
    url = reverse("corrections:propose", args=[child.pk, "family_name"])
    _removed_page(client.get(url))
    _removed_page(client.post(url, {"family_name": "Thorneton", "reason": "Seen at school"}))
    assert not Correction.objects.filter(child_id=child.pk).exists()
    assert events(AuditTag.CorrectionRaised) == []
