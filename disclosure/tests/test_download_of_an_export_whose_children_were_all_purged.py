"""The download of an approved export every child of which was purged since (review, session 32).

Each download is audited once per child the file names (`child:disclosure_export:downloaded`), so an
export whose children had all been purged within its 7 days was downloaded, and its one download used
up, with no event at all: the ledger never said that the file left, when, or who took it. The download
is now audited once against the export (no child id: there is no child left to file it under).
"""

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from lifecycle.services import closed_record_purge
from team.tests.test_disclosure_exports import _approved, _download, _rows
from tests.journeys import signed_in
from tests.personas import make_child, make_user


def test_a_download_naming_no_child_any_more_is_still_audited(world):
    child = make_child(world)
    export = _approved(world, make_user("leo", world.north, Role.LA_TEAM), [child])
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    assert closed_record_purge(child_id=child.pk)

    response, passphrase = _download(signed_in(world.lena), export)

    assert response.status_code == 200
    assert _rows(response.content, passphrase) == [["Index number", "Name", "Date of birth"]]
    export.refresh_from_db()
    assert export.downloads == 1
    (event,) = AuditEvent.objects.filter(tag=AuditTag.DisclosureExportDownloaded)
    assert event.actor_id == world.lena.pk and event.child_id is None
    assert event.additional["export_id"] == str(export.pk)
    assert event.additional["child_ids"] == [] and event.additional["released_fields"] == []
