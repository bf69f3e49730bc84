"""A download racing the closing of the approver's organisation, on real PostgreSQL sessions.

An approval stands only while its approver could still approve (`access.policy.export_approval_stands`),
and the policy refuses everyone in a closed organisation: closing it withdraws the approval. The release
held the approver's account row (`_approver_held`) but not the organisation's, a separate row: a close
committing just after the check let the file out under an approval that no longer stood. The release now
holds the organisation's row FOR SHARE too (an UPDATE of `closed_on` is a NO KEY UPDATE, which FOR KEY
SHARE would let through): a close arriving after the check waits for the download; one committed before
it is seen, and the download is refused as for any withdrawn approval (410, nothing released, audited).

An LA team's organisation is its LA, which the administrators' page closes only once it holds no child
and no open organisation: here the export's only child has moved to another LA since it was approved.
"""

from datetime import date

from django.urls import reverse

import team.exports
from accounts.directory import organisation_close
from accounts.models import Organisation, OrganisationKind, Role, User
from audit.tags import AuditTag
from children.models import Child
from disclosure.models import LawfulBasis
from disclosure.services import export_decide, export_request
from disclosure.tests.downloads import download_token as _token
from disclosure.tests.downloads import events as _events
from tests.concurrency import paused_for, postgresql_race, waiting_at_most
from tests.journeys import signed_in
from tests.personas import build_world, make_child, make_user

pytestmark = postgresql_race("a download and an organisation's close race only on real PostgreSQL sessions")

LOCK_WAIT = "2s"


def _east() -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.LOCAL_AUTHORITY,
        name="Eastmere Council",
        code="LA-E",
        phone="0300 000 0000",
        email="la-e@example.org",
        accredited_on=date(2020, 1, 1),
    )


def _setting():
    """East's team: lena asked, leo approved; the export's child has since moved to South."""
    world = build_world()
    east = _east()
    lena = make_user("erin", east, Role.LA_TEAM)
    leo = make_user("eli", east, Role.LA_TEAM)
    admin = make_user("ada", world.nadia.organisation, Role.SYSTEM_ADMIN)
    child = make_child(world, la=east)
    export = export_request(
        by=lena,
        local_authority=east,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-421",
        children=[child],
        fields=["name", "date_of_birth"],
    )
    export_decide(export=export, by=leo, approve=True, reason="Order seen")
    Child.objects.filter(pk=child.pk).update(local_authority=world.south)
    return east, lena, admin, export


def _closing(east: Organisation, admin: User):
    """Close East (the service's own UPDATE of `closed_on`), waiting at most LOCK_WAIT for its row."""

    def close() -> str:
        organisation_close(organisation=Organisation.objects.get(pk=east.pk), by=admin)
        return "closed"

    return waiting_at_most(close, LOCK_WAIT)


def test_a_close_of_the_approvers_organisation_arriving_after_the_check_waits_for_the_download(
    monkeypatch, settings
):
    settings.DISCLOSURE_EXPORT_MAX_DOWNLOADS = 2
    east, lena, admin, export = _setting()
    client = signed_in(lena)
    token = _token(client, export)

    def download():
        return client.post(reverse("team:export_download", args=[export.pk]), {"token": token})

    response, closed = paused_for(
        monkeypatch, team.exports, "export_approval_stands", read=download, write=_closing(east, admin)
    )

    assert closed == "waited"  # it could not commit between the check and the download
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    east.refresh_from_db()
    assert east.closed_on is None
    (downloaded,) = _events(AuditTag.DisclosureExportDownloaded)
    assert downloaded.actor_id == lena.pk
    assert not _events(AuditTag.OrganisationClosed)

    # The close goes through once the download is done, after it in the audit log.
    assert _closing(east, admin)() == "closed"
    (closing,) = _events(AuditTag.OrganisationClosed)
    assert closing.pk > downloaded.pk
    export.refresh_from_db()
    assert export.downloads == 1


def test_a_close_of_the_approvers_organisation_committed_before_the_check_refuses_the_download(monkeypatch):
    east, lena, admin, export = _setting()
    client = signed_in(lena)
    token = _token(client, export)

    def download():
        return client.post(reverse("team:export_download", args=[export.pk]), {"token": token})

    response, closed = paused_for(
        monkeypatch, team.exports, "export_release", read=download, write=_closing(east, admin), before=True
    )

    assert closed == "closed"
    assert response.status_code == 410
    body = response.content.decode()
    assert "approved it can no longer approve exports" in body and "Nothing was downloaded" in body
    export.refresh_from_db()
    assert export.downloads == 0
    assert not _events(AuditTag.DisclosureExportDownloaded)
    (attempt,) = _events(AuditTag.DisclosureExportExpiredAttempt)
    assert attempt.actor_id == lena.pk and attempt.additional["availability"] == "withdrawn"
