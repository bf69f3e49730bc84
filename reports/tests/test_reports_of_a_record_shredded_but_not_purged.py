"""Audit reports naming a record whose purge (or merge) failed after its shred.

The rows stay until the next night's purge, under a key that no longer opens: a report listing a view
of that record with its stated purpose's note (sealed under the record's key) failed with a server error
for the LA team. Now the row is listed without its note (the note died with the key), as it is for a
record merged away while the report was read.
"""

from django.urls import reverse

from audit.services import event_record
from audit.tags import AuditTag
from corrections.tests.support import events
from tests.journeys import signed_in
from tests.shredding import shred_rolled_back
from vault.sealing import note_seal

DETAIL = "Checking the school named on the referral"


def test_reports_list_a_view_of_a_shredded_record_without_its_note(world, child):
    event_record(
        tag=AuditTag.RecordViewed,
        actor=world.alice,
        child_id=child.pk,
        additional={
            "purpose": "providing_service",
            "purpose_detail_sealed": note_seal(child.data_key, context="purpose", text=DETAIL),
        },
    )
    client = signed_in(world.lena)
    activity = reverse("audit:user_activity", args=[world.alice.pk])
    assert DETAIL in client.get(activity).content.decode()
    shred_rolled_back(child)

    for url in (activity, reverse("audit:child_access", args=[child.pk])):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = response.content.decode()
        assert DETAIL not in page
        assert "Viewed" in page or "viewed" in page


def test_a_subject_access_report_of_a_shredded_record_says_it_was_removed(world, child):
    shred_rolled_back(child)
    client = signed_in(world.lena)
    form = {"reference": "SAR-2026-0042", "identity_checked": "on"}
    for page in ("audit:subject_access", "audit:subject_access_pdf"):
        response = client.post(reverse(page, args=[child.pk]), form)
        assert response.status_code == 410, (page, response.status_code)
        assert "This record has been removed" in response.content.decode()
    assert [e.additional["page"] for e in events(AuditTag.RecordRemovedShown)] == [
        "audit:subject_access",
        "audit:subject_access_pdf",
    ]
    assert events(AuditTag.SubjectAccessProduced) == []
