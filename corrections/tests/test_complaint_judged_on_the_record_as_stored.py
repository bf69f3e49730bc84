"""A complaint is recorded on the record as stored when it is written, not as the page's check read it.

`complaint_record` took no lock and asked nothing again: a record merged into another in the moment
between the page's policy check and the write was a server error (the complaint's row pointed at a
record the merge had deleted, refused at commit) and the LA team's summary of what the child or parent
said was lost; one closed for a new identity, or transferred to another LA, took a complaint that no
list shows and nobody may open (`complaint_decide` refuses a closed record; another LA's team cannot
read it). `correction_raise` and the record pages (session 21) judge the stored row under its lock.
"""

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from corrections import views
from corrections.models import Complaint
from corrections.tests.support import events
from linkage.merging import child_merge
from tests.concurrency import paused_for
from tests.journeys import signed_in
from tests.other_la import main_of
from tests.personas import make_child

COMPLAINT = {
    "complainant": "parent_carer",
    "about": "use",
    "received_day": "2",
    "received_month": "11",
    "received_year": "2026",
    "summary": "Asks who looked at the record in October",
}


def _changed_on_the_way(monkeypatch, change) -> None:
    """The page's policy check has passed; `change()` happens before the complaint is written."""
    original = views.complaint_record

    def recording(**kwargs):
        change()
        return original(**kwargs)

    monkeypatch.setattr(views, "complaint_record", recording)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, reason",
    [({"status": RecordStatus.CLOSED}, "closed"), ({"status": RecordStatus.ARCHIVED}, "archived")],
)
def test_a_complaint_sent_as_the_record_is_closed_or_archived_is_refused_and_not_kept(
    world, child, monkeypatch, change, reason
):
    _changed_on_the_way(monkeypatch, lambda: Child.objects.filter(pk=child.pk).update(**change))
    response = signed_in(world.lena).post(reverse("corrections:complaint_new", args=[child.pk]), COMPLAINT)
    assert response.status_code == 403 and f'data-reason="{reason}"' in response.content.decode()
    assert not Complaint.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.ComplaintRecorded).exists()
    assert events(AuditTag.AccessDenied, reason=reason)


@pytest.mark.django_db
def test_a_complaint_sent_as_the_record_moves_to_another_la_is_refused_and_not_kept(
    world, child, monkeypatch
):
    _changed_on_the_way(
        monkeypatch, lambda: Child.objects.filter(pk=child.pk).update(local_authority=world.south)
    )
    response = signed_in(world.lena).post(reverse("corrections:complaint_new", args=[child.pk]), COMPLAINT)
    # no longer her LA's, and never found by search: the refusal says nothing of the child (review, session 37)
    assert response.status_code == 403 and 'data-reason="not_found_by_search"' in response.content.decode()
    assert world.south.name not in main_of(response)
    assert not Complaint.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.ComplaintRecorded).exists()
    assert events(AuditTag.AccessDenied, reason="other_la")


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: a merge committed beside it")
def test_a_complaint_sent_as_the_record_is_merged_away_is_not_a_server_error(world, child, monkeypatch):
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    client = signed_in(world.lena)
    client.raise_request_exception = False
    response, _ = paused_for(  # the LA team's colleague merges the record away, on their own connection
        monkeypatch,
        views,
        "complaint_record",
        before=True,
        read=lambda: client.post(reverse("corrections:complaint_new", args=[child.pk]), COMPLAINT),
        write=lambda: child_merge(
            survivor=Child.objects.get(pk=survivor.pk),
            duplicate=Child.objects.get(pk=child.pk),
            by=world.lena,
        ),
    )
    monkeypatch.undo()
    assert not Child.objects.filter(pk=child.pk).exists()  # merged away
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reverse("corrections:complaints")
    assert not Complaint.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "merged into another" in page
