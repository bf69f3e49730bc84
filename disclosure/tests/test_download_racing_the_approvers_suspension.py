"""A download racing the suspension of the colleague who approved the export, on real PostgreSQL sessions.

The release asks whether the approval still stands (`access.policy.export_approval_stands`) inside its
transaction, but read the approver's row without a lock: a suspension committing just after that check was
not seen, and the file went on to be built, counted and audited as released under an approval that no
longer stood when it left (the suspension's own audit event coming first). The release now holds the
approver's row FOR SHARE from before the check to its commit (`disclosure.services.export_release`): a
suspension arriving after the check waits for the download to finish; one committed before the check is
seen, and the download is refused as for any withdrawn approval (410, nothing released, attempt audited).
"""

from django.urls import reverse

import team.exports
from accounts.models import Role, User
from accounts.services import account_suspend
from audit.tags import AuditTag
from disclosure.models import DisclosureExport, LawfulBasis
from disclosure.services import export_decide, export_request
from disclosure.tests.downloads import download_token as _token
from disclosure.tests.downloads import events as _events
from tests.concurrency import paused_for, postgresql_race, waiting_at_most
from tests.journeys import signed_in
from tests.personas import World, build_world, make_child, make_user

pytestmark = postgresql_race("a download and a suspension race only on real PostgreSQL sessions")

# Long enough for a download to be paused at the chosen moment, short enough for the test.
LOCK_WAIT = "2s"


def _approved(world: World, leo: User) -> DisclosureExport:
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-419",
        children=[make_child(world)],
        fields=["name", "date_of_birth"],
    )
    return export_decide(export=export, by=leo, approve=True, reason="Order seen")


def _suspension(leo: User):
    """Suspend leo (a hard misuse rule: ContactPoint itself), waiting at most LOCK_WAIT for his row."""
    return waiting_at_most(
        lambda: (
            "suspended"
            if account_suspend(user=leo, by=None, reason="Rule: exports approved per day")
            else "not suspended"
        ),
        LOCK_WAIT,
    )


def test_a_suspension_arriving_after_the_approval_was_checked_waits_for_the_download(monkeypatch, settings):
    settings.DISCLOSURE_EXPORT_MAX_DOWNLOADS = 2
    world = build_world()
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = _approved(world, leo)
    lena = signed_in(world.lena)
    token = _token(lena, export)

    def download():
        return lena.post(reverse("team:export_download", args=[export.pk]), {"token": token})

    # The suspension tries to commit just after the release found leo's approval standing.
    response, suspended = paused_for(
        monkeypatch, team.exports, "export_approval_stands", read=download, write=_suspension(leo)
    )

    assert suspended == "waited"  # it could not commit between the check and the download
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    leo.refresh_from_db()
    assert leo.suspended_at is None
    (downloaded,) = _events(AuditTag.DisclosureExportDownloaded)
    assert downloaded.actor_id == world.lena.pk
    assert downloaded.additional["export_id"] == str(export.pk)
    assert not _events(AuditTag.AccountSuspended)

    # The suspension goes through once the download is done, after it in the audit log, and the next
    # download is refused as a withdrawn approval.
    assert _suspension(leo)() == "suspended"
    (suspension,) = _events(AuditTag.AccountSuspended)
    assert suspension.pk > downloaded.pk
    again = lena.post(reverse("team:export_download", args=[export.pk]), {"token": token})
    assert again.status_code == 410
    assert "approved it can no longer approve exports" in again.content.decode()
    export.refresh_from_db()
    assert export.downloads == 1
    (attempt,) = _events(AuditTag.DisclosureExportExpiredAttempt)
    assert attempt.additional["availability"] == "withdrawn"


def test_a_suspension_committed_just_before_the_check_refuses_the_download(monkeypatch):
    world = build_world()
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = _approved(world, leo)
    lena = signed_in(world.lena)
    token = _token(lena, export)  # the page read while the approval still stood

    def download():
        return lena.post(reverse("team:export_download", args=[export.pk]), {"token": token})

    # The request is past its own checks; the suspension commits before the release begins.
    response, suspended = paused_for(
        monkeypatch, team.exports, "export_release", read=download, write=_suspension(leo), before=True
    )

    assert suspended == "suspended"
    assert response.status_code == 410
    body = response.content.decode()
    assert "approved it can no longer approve exports" in body and "Nothing was downloaded" in body
    export.refresh_from_db()
    assert export.downloads == 0
    assert not _events(AuditTag.DisclosureExportDownloaded)
    (attempt,) = _events(AuditTag.DisclosureExportExpiredAttempt)
    assert attempt.actor_id == world.lena.pk and attempt.additional["availability"] == "withdrawn"
