"""A download racing a merge of one of its children by the colleague who approved it (review, session 26),
on real PostgreSQL sessions.

The release locks the export, then the downloader's and approver's accounts (id order), then the
approver's organisation, then the children. A merge locks its decider's account first
(`accounts.services.actor_able_locked`), then the two records, and names the survivor on the export (its
foreign key takes only KEY SHARE on the export, which the release's FOR NO KEY UPDATE lets through). With
the approver merging, both take the approver's row before any child, so they queue instead of closing a
circle: the download waits for the merge and releases the survivor, as a download a moment later would.
"""

import threading
import time
from typing import Any

from django.urls import reverse

from accounts.models import Role, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from disclosure.models import DisclosureExport, LawfulBasis
from disclosure.services import export_decide, export_request
from disclosure.tests.downloads import download_token as _token
from linkage import merging
from linkage.merging import child_merge
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import World, build_world, make_child, make_user

pytestmark = postgresql_race("a download and a merge race only on real PostgreSQL sessions")

HELD_FOR = 1.5  # seconds the merge stays uncommitted once it holds the approver's row and both records


def _approved(world: World, leo: User, child: Child) -> DisclosureExport:
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-419",
        children=[child],
        fields=["name", "date_of_birth"],
    )
    return export_decide(export=export, by=leo, approve=True, reason="Order seen")


def test_a_download_arriving_while_its_approver_merges_its_child_waits_and_releases_the_survivor(
    monkeypatch,
):
    world = build_world()
    leo = make_user("leo", world.north, Role.LA_TEAM)
    duplicate = make_child(world)
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    export = _approved(world, leo, duplicate)
    lena = signed_in(world.lena)
    token = _token(lena, export)
    merging_now = threading.Event()
    real_shred = merging.data_key_shred

    def shred_then_hold(key: Any) -> int:
        done = real_shred(key)
        merging_now.set()
        time.sleep(HELD_FOR)  # the merge holds leo's row and both records, uncommitted
        return done

    monkeypatch.setattr(merging, "data_key_shred", shred_then_hold)

    def work(index: int) -> Any:
        if index == 0:
            return child_merge(
                survivor=Child.objects.get(pk=survivor.pk),
                duplicate=Child.objects.get(pk=duplicate.pk),
                by=User.objects.get(pk=leo.pk),
            )
        assert merging_now.wait(timeout=30)
        return lena.post(reverse("team:export_download", args=[export.pk]), {"token": token})

    merge, response = run_together(2, work)  # a deadlock would fail one of them (DeadlockDetected)
    monkeypatch.undo()

    assert merge.survivor_id == survivor.pk
    assert not Child.objects.filter(pk=duplicate.pk).exists()
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    (downloaded,) = AuditEvent.objects.filter(tag=AuditTag.DisclosureExportDownloaded)
    assert downloaded.child_id == survivor.pk  # released after the merge: the survivor, as named now
    merged = AuditEvent.objects.get(tag=AuditTag.ChildMerged)
    assert merged.pk < downloaded.pk
    export.refresh_from_db()
    assert export.downloads == 1
