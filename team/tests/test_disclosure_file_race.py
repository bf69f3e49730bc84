"""A shield and a new service racing a download for real (PostgreSQL, two sessions).

The file is built under the children's row locks in the release's transaction, so the LA team's shield
waits for the download: the file carries the child as the release counted them, and the shield's audit
event follows the disclosure's in the ledger, which is what the child's access report will tell.
"""

import threading
import time
from datetime import date

from access.policy import export_approval_stands
from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.records import InvolvementDetails
from children.services import involvement_record
from disclosure.models import LawfulBasis
from disclosure.services import Built, export_decide, export_release, export_request
from lifecycle.shielding import shield_set
from team.disclosure_file import export_rows_judged
from tests.concurrency import postgresql_race, run_together
from tests.personas import build_world, make_child, make_user

pytestmark = postgresql_race(
    "SQLite serialises every writer on one database lock, so requests cannot race there"
)

NEW_SERVICE = "Refuge outreach worker"


def _approved(world, child, fields, colleague):
    """lena's export of `child`'s `fields`, approved by her `colleague` in North's LA team."""
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-118",
        children=[child],
        fields=fields,
    )
    return export_decide(export=export, by=colleague, approve=True, reason="Checked")


def test_a_shield_sent_while_the_file_is_built_waits_and_the_file_has_no_later_service():
    world = build_world()
    child = make_child(world)
    export = _approved(world, child, ["name", "services"], make_user("leo", world.north, Role.LA_TEAM))
    building = threading.Event()

    def build(export_now, children):
        building.set()
        time.sleep(0.5)  # the shield arrives while the file is being built
        rows, _ = export_rows_judged(export=export_now, children=children, by=world.lena)
        return Built(file="\n".join(",".join(row) for row in rows).encode(), withheld={})

    def work(index: int) -> bytes | None:
        if index == 0:
            return export_release(
                export=export, by=world.lena, build=build, approval_stands=export_approval_stands
            ).file
        assert building.wait(timeout=10)
        stored = Child.objects.get(pk=child.pk)
        shield_set(child=stored, by=world.lena, shielded=True, reason="Fled to a refuge")
        details = InvolvementDetails(
            "Dr Example", NEW_SERVICE, world.south_gp.pk, started_on=date(2026, 1, 5)
        )
        involvement_record(child=stored, by=world.bob, details=details)
        return None

    file, _ = run_together(2, work)
    assert file is not None and NEW_SERVICE.encode() not in file
    assert Child.objects.get(pk=child.pk).shielded
    downloaded = AuditEvent.objects.get(tag=AuditTag.DisclosureExportDownloaded, child_id=child.pk)
    shield = AuditEvent.objects.get(tag=AuditTag.ShieldApplied, child_id=child.pk)
    assert shield.pk > downloaded.pk  # the shield came after the disclosure, as the ledger will tell


def test_a_download_of_an_export_naming_a_record_being_merged_neither_fails_and_releases_the_survivor(
    monkeypatch,
):
    """The merge holds both children's rows, then names the survivor on the export (a row referring to
    the export, which takes a share lock on it); the download holds the export, then waits for the rows.
    Locking the export FOR UPDATE closed that circle and PostgreSQL failed one of the two."""
    from linkage import merging

    world = build_world()
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS6 1AA")
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = _approved(world, duplicate, ["name"], leo)
    merging_rows = threading.Event()
    real = merging.identities_carry_over

    def paused(**kwargs):
        merging_rows.set()
        time.sleep(1.5)  # the download arrives while the merge holds both rows
        return real(**kwargs)

    monkeypatch.setattr(merging, "identities_carry_over", paused)

    def build(export_now, children):
        return Built(file=",".join(str(child.pk) for child in children).encode(), withheld={})

    def work(index: int) -> bytes | None:
        if index == 0:
            merging.child_merge(
                survivor=Child.objects.get(pk=survivor.pk),
                duplicate=Child.objects.get(pk=duplicate.pk),
                by=leo,
            )
            return None
        assert merging_rows.wait(timeout=10)
        return export_release(
            export=export, by=world.lena, build=build, approval_stands=export_approval_stands
        ).file

    _, file = run_together(2, work)
    assert not Child.objects.filter(pk=duplicate.pk).exists()
    assert file == str(survivor.pk).encode()  # the record the export names now, as after any merge
    downloaded = AuditEvent.objects.filter(tag=AuditTag.DisclosureExportDownloaded)
    assert list(downloaded.values_list("child_id", flat=True)) == [survivor.pk]
