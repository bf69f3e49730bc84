"""The archive page of a record whose purge failed after its shred: said in words, nothing claimed as seen.

A purge tells the key provider first (fail closed); failing after that, it leaves the archived record's
rows under a key that no longer opens until the next night's purge takes it again. The data manager's
finder still leads to it and the page still asks why; the opening then audited the record as viewed
(`child:archive:viewed`, with the purpose) and failed with a server error reading it: the audit said the
data manager saw a record nobody can read. The record's other pages say "This record has been removed"
(`children.views.removed_record_said`); so does this one, audited as that alone.
"""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.tags import AuditTag
from children.models import Child
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import events, move_to
from tests.journeys import signed_in
from tests.personas import make_user
from tests.shredding import purge_failed_after_its_shred

REMOVED = "This record has been removed"


@pytest.fixture
def archived(world, child, clock):
    move_to(clock, date(2033, 3, 4))
    lifecycle_run()
    return Child.objects.get(pk=child.pk)


def test_opening_an_archive_whose_purge_failed_after_its_shred_says_removed_and_audits_no_view(
    world, archived, monkeypatch
):
    purge_failed_after_its_shred(monkeypatch, archived)
    client = signed_in(world.dara)
    url = reverse("lifecycle:archived_record", args=[archived.pk])

    asked = client.get(url)
    assert asked.status_code == 410, asked.status_code
    assert REMOVED in asked.content.decode()

    opened = client.post(url, {"purpose": "subject_access", "detail": "SAR 2033-17"})
    assert opened.status_code == 410, opened.status_code
    page = opened.content.decode()
    assert REMOVED in page and "Thornton" not in page
    assert events(AuditTag.ArchivedRecordViewed) == []
    shown = events(AuditTag.RecordRemovedShown, archived)
    assert [(e.actor_id, e.additional["page"]) for e in shown] == [
        (world.dara.pk, "lifecycle:archived_record")
    ] * 2


def test_another_las_data_manager_is_answered_as_for_a_made_up_id(world, archived, monkeypatch):
    """The key is opened only after the policy's check: "removed" tells nobody else the id exists."""
    purge_failed_after_its_shred(monkeypatch, archived)
    response = signed_in(make_user("sunita", world.south, Role.DATA_MANAGER)).get(
        reverse("lifecycle:archived_record", args=[archived.pk])
    )
    assert response.status_code == 404
    assert REMOVED not in response.content.decode()
    assert events(AuditTag.RecordRemovedShown) == []


def test_an_opening_without_a_detail_is_not_audited_as_a_view_of_a_removed_record(
    world, archived, monkeypatch
):
    """Without a detail to seal nothing stopped the view's event: it was written, then the page failed."""
    purge_failed_after_its_shred(monkeypatch, archived)
    opened = signed_in(world.dara).post(
        reverse("lifecycle:archived_record", args=[archived.pk]), {"purpose": "data_quality"}
    )
    assert opened.status_code == 410, opened.status_code
    assert REMOVED in opened.content.decode()
    assert events(AuditTag.ArchivedRecordViewed) == []
