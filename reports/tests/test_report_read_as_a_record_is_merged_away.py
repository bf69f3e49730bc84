"""A report page read while the LA team merges away a record it lists (review, session 26; PostgreSQL: two
real sessions, the merge committing after the page loaded the record and before it opened its notes).

`report_rows` loads the page's records with their keys and then opens each one's notes (a purpose's
detail, a shielding reason) under its key; a merge committing in between has shredded that key: the
page was a server error (`KeyRevoked`) for the LA team. It now answers as it would a moment later, when
the record merged away is no longer loaded: the row is listed, its notes are not opened (they died with
the record's key). A record still there whose key fails is still raised.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag, tag_label
from children.models import Child
from linkage.merging import child_merge
from reports import reports
from reports import views as reports_views
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.personas import make_child
from vault.sealing import note_seal

pytestmark = postgresql_race("PostgreSQL only: the merge commits on another session")

DETAIL = "Checking the school named on the referral"


def test_the_childs_access_report_read_as_the_record_is_merged_away_lists_it_without_its_notes(
    world, child, monkeypatch
):
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
    assert DETAIL in client.get(reverse("audit:child_access", args=[child.pk])).content.decode()
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    client.raise_request_exception = False
    response, _ = paused_for(  # the page's records are loaded; the merge commits before a note is opened
        monkeypatch,
        reports,
        "_carriers",
        read=lambda: client.get(reverse("audit:child_access", args=[child.pk])),
        write=lambda: child_merge(
            survivor=Child.objects.get(pk=survivor.pk),
            duplicate=Child.objects.get(pk=child.pk),
            by=world.lena,
        ),
    )
    monkeypatch.undo()
    assert not Child.objects.filter(pk=child.pk).exists()
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert tag_label(AuditTag.RecordViewed) in page  # the view is still listed
    assert DETAIL not in page  # its note died with the record's key


REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}


@pytest.mark.parametrize("page", ["audit:subject_access", "audit:subject_access_pdf"])
def test_a_subject_access_request_sent_as_the_record_is_merged_away_is_not_found(
    world, child, monkeypatch, page
):
    """Checked and stepped up, the request decrypts the whole record: merged away in that moment, its key
    is shredded. Not found, as the record's own pages answer (`children.views.gone_if_merged_away`);
    nothing produced, nothing audited as produced."""
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    client = signed_in(world.lena)
    client.raise_request_exception = False
    response, _ = paused_for(  # past the role, the record and step-up; the merge commits before the report
        monkeypatch,
        reports_views,
        "step_up",
        read=lambda: client.post(reverse(page, args=[child.pk]), REQUEST),
        write=lambda: child_merge(
            survivor=Child.objects.get(pk=survivor.pk),
            duplicate=Child.objects.get(pk=child.pk),
            by=world.lena,
        ),
    )
    monkeypatch.undo()
    assert not Child.objects.filter(pk=child.pk).exists()
    assert response.status_code == 404, response.status_code
    assert "Thornton" not in response.content.decode()
    assert not AuditEvent.objects.filter(tag=AuditTag.SubjectAccessProduced).exists()
