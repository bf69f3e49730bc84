"""A pending export naming a child whose purge failed after revoking the export's key is not decided.

Purging a child shreds the notes of every export naming it (`disclosure.retention`: the export's key
revoked at the key provider first). A purge failing after that leaves the columns and the export pending,
with a key that no longer opens. Approving or refusing it sealed the decision reason under that key: a
server error. Now the decision is refused in words (a child it named was purged, its reference with it),
and nothing is written: the export stays pending, undecided and unaudited as decided.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from disclosure.models import DisclosureExport, ExportStatus, LawfulBasis
from disclosure.services import ExportNotesDestroyed, export_decide, export_request
from disclosure.tests.downloads import events
from lifecycle.services import closed_record_purge
from team.tests.test_export_notes_of_a_purge_that_failed import _purge_failed_after_its_delete
from tests.journeys import signed_in
from tests.personas import make_child, make_user

PURGED = "can no longer be decided: a child it named was purged"


def _pending(world, children) -> DisclosureExport:
    return export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-118",
        children=children,
        fields=["name", "date_of_birth"],
    )


def _purge_failed(world, monkeypatch) -> DisclosureExport:
    from lifecycle.services import child_archive

    kept = make_child(world)
    purged = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    export = _pending(world, [kept, purged])
    child_archive(child_id=purged.pk, rule="age", today=timezone.localdate())
    _purge_failed_after_its_delete(monkeypatch, purged)
    return export


def _undecided(export: DisclosureExport) -> None:
    export.refresh_from_db()
    assert export.status == ExportStatus.PENDING
    assert export.decided_by_id is None and export.decided_at is None and export.expires_at is None
    assert not events(AuditTag.DisclosureExportApproved) and not events(AuditTag.DisclosureExportRefused)


@pytest.mark.parametrize("decision", ["approve", "refuse"])
def test_deciding_an_export_after_a_purge_that_failed_is_refused_in_words(world, monkeypatch, decision):
    export = _purge_failed(world, monkeypatch)
    leo = signed_in(make_user("leo", world.north, Role.LA_TEAM))

    response = leo.post(
        reverse("team:export_decision", args=[export.pk]), {"decision": decision, "reason": "Order seen"}
    )

    assert response.status_code == 302
    page = leo.get(response["Location"])
    assert page.status_code == 200 and PURGED in page.content.decode()
    _undecided(export)


def test_deciding_an_export_after_its_childs_purge_completed_is_refused_the_same_way(world):
    kept, purged = make_child(world), make_child(world, given_names="Kai", family_name="Lindqvist")
    export = _pending(world, [kept, purged])
    Child.objects.filter(pk=purged.pk).update(status=RecordStatus.CLOSED)
    assert closed_record_purge(child_id=purged.pk)

    with pytest.raises(ExportNotesDestroyed):
        export_decide(
            export=DisclosureExport.objects.get(pk=export.pk),
            by=make_user("leo", world.north, Role.LA_TEAM),
            approve=True,
            reason="Order seen",
        )
    _undecided(export)
