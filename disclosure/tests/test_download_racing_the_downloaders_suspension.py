"""A download racing the suspension or closure of the downloader's own account, on real PostgreSQL sessions.

The policy judged the downloader at the start of the request only: a colleague (or a misuse rule)
suspending or closing the account an instant later committed while the release went on, and the file was
built, counted and audited as released to an account that could no longer act. The release now locks the
downloader's row first in its transaction (`accounts.services.actor_able_locked`, FOR NO KEY UPDATE): a
suspension arriving after that waits for the download to finish; one committed before it is seen, nothing
is released or counted, and the page answers as the person's next request would (the audited refusal
saying why, signed out: `access.http.signed_out_refusal`).
"""

from django.db import connection
from django.test import Client
from django.urls import reverse

import disclosure.services
import team.exports
from access.permissions import Permission
from access.policy import export_approval_stands
from accounts.models import Role, User
from accounts.services import account_close, account_suspend, actor_able_locked
from audit.tags import AuditTag
from disclosure.models import DisclosureExport, LawfulBasis
from disclosure.services import export_decide, export_release, export_request
from disclosure.tests.downloads import download_token as _token
from disclosure.tests.downloads import events as _events
from disclosure.tests.downloads import file_built
from tests.concurrency import meeting_after, paused_for, postgresql_race, run_together, waiting_at_most
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
        reference="CO-2026-420",
        children=[make_child(world)],
        fields=["name", "date_of_birth"],
    )
    return export_decide(export=export, by=leo, approve=True, reason="Order seen")


def _waiting_at_most(change):
    """`change` waiting at most LOCK_WAIT for a row: "done" or "nothing done", "waited" if it could not
    commit."""
    return waiting_at_most(lambda: "done" if change() else "nothing done", LOCK_WAIT)


def _download(client: Client, export: DisclosureExport, token: str):
    return lambda: client.post(reverse("team:export_download", args=[export.pk]), {"token": token})


def test_the_downloaders_suspension_arriving_mid_download_waits_for_it(monkeypatch):
    world = build_world()
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = _approved(world, leo)
    lena = signed_in(world.lena)
    token = _token(lena, export)
    suspend = _waiting_at_most(
        lambda: account_suspend(user=world.lena, by=None, reason="Rule: exports downloaded per day")
    )

    # The suspension tries to commit while the release is under way (the approval just found standing).
    response, suspended = paused_for(
        monkeypatch,
        team.exports,
        "export_approval_stands",
        read=_download(lena, export, token),
        write=suspend,
    )

    assert suspended == "waited"  # it could not commit before the file had gone
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    (downloaded,) = _events(AuditTag.DisclosureExportDownloaded)
    assert downloaded.actor_id == world.lena.pk
    world.lena.refresh_from_db()
    assert world.lena.suspended_at is None
    # Once the download is done the suspension goes through, after it in the audit log.
    assert suspend() == "done"
    (suspension,) = _events(AuditTag.AccountSuspended)
    assert suspension.pk > downloaded.pk


def test_the_downloaders_suspension_committed_before_the_release_lets_nothing_out(monkeypatch):
    world = build_world()
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = _approved(world, leo)
    lena = signed_in(world.lena)
    token = _token(lena, export)
    suspend = _waiting_at_most(
        lambda: account_suspend(user=world.lena, by=None, reason="Rule: exports downloaded per day")
    )

    # The request is past the policy and its own checks; the suspension commits before the release.
    response, suspended = paused_for(
        monkeypatch,
        team.exports,
        "export_release",
        read=_download(lena, export, token),
        write=suspend,
        before=True,
    )

    assert suspended == "done"
    assert response.status_code == 403 and response["Content-Type"].startswith("text/html")
    assert "Your account is suspended." in response.content.decode()
    export.refresh_from_db()
    assert export.downloads == 0
    assert not _events(AuditTag.DisclosureExportDownloaded)
    (refusal,) = _events(AuditTag.AccessDenied)
    assert refusal.actor_id == world.lena.pk
    assert refusal.additional["action"] == str(Permission.DisclosureExportDownload)
    assert refusal.additional["reason"] == "suspended"
    # Signed out: the next request is sent to sign in, and the export is untouched.
    assert lena.get(reverse("team:export", args=[export.pk])).status_code == 302


def test_the_downloaders_account_closed_before_the_release_lets_nothing_out(monkeypatch):
    world = build_world()
    leo = make_user("leo", world.north, Role.LA_TEAM)
    max_ = make_user("max", world.north, Role.LA_TEAM)
    export = _approved(world, leo)
    lena = signed_in(world.lena)
    token = _token(lena, export)
    close = _waiting_at_most(lambda: account_close(user=User.objects.get(pk=world.lena.pk), by=max_))

    response, closed = paused_for(
        monkeypatch,
        team.exports,
        "export_release",
        read=_download(lena, export, token),
        write=close,
        before=True,
    )

    assert closed == "done"
    assert response.status_code == 403
    assert "Your account is closed." in response.content.decode()
    export.refresh_from_db()
    assert export.downloads == 0
    assert not _events(AuditTag.DisclosureExportDownloaded)
    (refusal,) = _events(AuditTag.AccessDenied)
    assert refusal.actor_id == world.lena.pk and refusal.additional["reason"] == "inactive"


def test_a_release_by_the_approver_takes_both_locks_on_the_one_row():
    """The policy never lets the approver download (only the requester may), but the service must not
    wait on itself if it were asked to: the one row is locked once (FOR NO KEY UPDATE), and released."""
    world = build_world()
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = _approved(world, leo)
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = '{LOCK_WAIT}'")
    try:
        released = export_release(
            export=export, by=leo, approval_stands=export_approval_stands, build=file_built(leo)
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert released.export.downloads == 1
    (downloaded,) = _events(AuditTag.DisclosureExportDownloaded)
    assert downloaded.actor_id == leo.pk


def test_two_downloads_each_approved_by_the_others_downloader_do_not_deadlock(monkeypatch):
    """Lena downloads what Leo approved while Leo downloads what Lena approved: each release locks its
    downloader and holds its approver, the same two rows. Taken in id order both times, the second waits
    for the first; taken downloader first, each would hold one row and wait for the other (a deadlock,
    one download failing with a server error)."""
    world = build_world()
    leo = make_user("leo", world.north, Role.LA_TEAM)
    by_lena = _approved(world, leo)
    asked = export_request(
        by=leo,
        local_authority=world.north,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-422",
        children=[make_child(world, given_names="Noah")],
        fields=["name"],
    )
    by_leo = export_decide(export=asked, by=world.lena, approve=True, reason="Order seen")
    clients = [signed_in(world.lena), signed_in(leo)]
    downloads = [
        _download(clients[0], by_lena, _token(clients[0], by_lena)),
        _download(clients[1], by_leo, _token(clients[1], by_leo)),
    ]
    # Each release has locked its first account before either goes on to its second.
    monkeypatch.setattr(disclosure.services, "actor_able_locked", meeting_after(actor_able_locked))

    responses = run_together(2, lambda index: downloads[index]())

    assert [response["Content-Type"] for response in responses] == ["application/zip", "application/zip"]
    assert sorted(event.actor_id for event in _events(AuditTag.DisclosureExportDownloaded)) == sorted(
        [world.lena.pk, leo.pk]
    )
