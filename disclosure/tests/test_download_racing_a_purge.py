"""A download racing the purge of a child it names, on real PostgreSQL sessions (review, session 32).

The release locks the export's row, then the accounts, then the children's rows. A purge locks the
child's row and, as it deletes it, destroys the notes of every export naming it (`disclosure.retention`),
which writes the export's row. With the release holding the export and the purge holding the child, each
waited for what the other held: PostgreSQL broke the circle by failing one of them (a server error for
the downloader, or a purge undone after its key was shredded). Now neither fails: the purge waits for
the download, or the download waits for the purge, and both finish.
"""

import threading
from typing import Any

from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from disclosure import services
from disclosure.models import DisclosureExport, LawfulBasis
from disclosure.services import export_decide, export_request
from disclosure.tests.downloads import download_token
from lifecycle import services as lifecycle_services
from lifecycle.services import child_purge
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import build_world, make_child, make_user

pytestmark = postgresql_race("a download and a purge race only on real PostgreSQL sessions")


def test_a_download_and_the_purge_of_a_child_it_names_both_finish(monkeypatch):
    world = build_world()
    leo = make_user("leo", world.north, Role.LA_TEAM)
    kept, purged = make_child(world), make_child(world, given_names="Amelia", postcode="LS1 4AB")
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-733",
        children=[kept, purged],
        fields=["name", "date_of_birth"],
    )
    export_decide(export=export, by=leo, approve=True, reason="Order seen")
    lena = signed_in(world.lena)
    token = download_token(lena, export)
    Child.objects.filter(pk=purged.pk).update(status=RecordStatus.ARCHIVED)  # due for its purge

    export_held, child_held = threading.Event(), threading.Event()
    real_children_locked = services._named_children_locked
    real_shred = lifecycle_services.child_shred

    def children_locked_after_the_purge_took_its_row(locked: DisclosureExport) -> Any:
        export_held.set()  # the release holds the export's row and the accounts
        child_held.wait(timeout=10)
        return real_children_locked(locked)

    def shred_holding_the_row(**kwargs: Any) -> Any:
        child_held.set()  # the purge holds the child's row
        return real_shred(**kwargs)

    monkeypatch.setattr(services, "_named_children_locked", children_locked_after_the_purge_took_its_row)
    monkeypatch.setattr(lifecycle_services, "child_shred", shred_holding_the_row)

    def work(index: int) -> Any:
        if index == 0:
            return lena.post(reverse("team:export_download", args=[export.pk]), {"token": token})
        assert export_held.wait(timeout=30)
        return child_purge(child_id=purged.pk)

    response, purged_now = run_together(2, work)  # a deadlock fails one of them (DeadlockDetected)
    monkeypatch.undo()

    assert purged_now is True
    assert not Child.objects.filter(pk=purged.pk).exists()
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    downloaded = AuditEvent.objects.filter(tag=AuditTag.DisclosureExportDownloaded)
    assert kept.pk in {event.child_id for event in downloaded}
    export.refresh_from_db()
    assert export.downloads == 1
    assert export.notes_shredded_at is not None  # the purge still destroyed the export's notes
