"""Racing the export's limits for real: N threads, each with its own PostgreSQL connection, at once.

The limits (downloaded at most `DISCLOSURE_EXPORT_MAX_DOWNLOADS` times, decided once) hold only because
`disclosure.services` locks the export row (`select_for_update`) before reading its state. Sequential
tests cannot tell a lock from no lock, so here the writers are released together by a barrier, several
rounds over, both through the services and through the pages (where the refusal is what
docs/SECURITY.md says: 410 "This export has expired" for a download, "already been decided" for a
decision). What must hold whatever the interleaving: exactly the allowed number succeed, the count never
passes the limit, every other writer gets the refusal, and the audit events match the successes.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from access.policy import export_approval_stands
from accounts.models import Role, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from disclosure.models import DisclosureExport, ExportStatus, LawfulBasis
from disclosure.selectors import export_notes
from disclosure.services import (
    AlreadyDecided,
    Availability,
    NotDownloadable,
    export_decide,
    export_release,
    export_request,
)
from disclosure.tests.downloads import file_built
from tests.concurrency import run_together
from tests.journeys import signed_in
from tests.personas import World, build_world, make_child, make_user

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every writer on one database lock, so requests cannot race there",
    ),
]

WRITERS = 6
ROUNDS = 3


def _children(world: World) -> list[Child]:
    return [
        make_child(world),
        make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW"),
    ]


def _pending(world: World, children: list[Child]) -> DisclosureExport:
    return export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-118",
        children=children,
        fields=["name", "date_of_birth"],
    )


def _colleagues(world: World, count: int) -> list[User]:
    """Members of North's LA team other than the requester: each may decide lena's request."""
    return [make_user(f"colleague{i}", world.north, Role.LA_TEAM) for i in range(count)]


def _events(tag: AuditTag, export: DisclosureExport) -> int:
    return AuditEvent.objects.filter(tag=tag, additional__export_id=str(export.pk)).count()


def _assert_decided_once(outcomes: list[str], export: DisclosureExport, deciders: list[User]) -> None:
    """One decider (even: approve, odd: refuse) decided, the rest were told; one event, by the decider."""
    winners = [outcome for outcome in outcomes if outcome.startswith("decided by")]
    assert len(winners) == 1 and outcomes.count("already decided") == WRITERS - 1, outcomes
    winner = int(winners[0].removeprefix("decided by "))
    export.refresh_from_db()
    expected = ExportStatus.APPROVED if winner % 2 == 0 else ExportStatus.REFUSED
    assert export.status == expected and export.decided_by == deciders[winner]
    assert export_notes(export).decision_reason == f"Decider {winner}"
    tags = [AuditTag.DisclosureExportApproved, AuditTag.DisclosureExportRefused]
    (event,) = AuditEvent.objects.filter(tag__in=tags, additional__export_id=str(export.pk))
    assert event.actor_id == deciders[winner].pk and event.tag == (
        AuditTag.DisclosureExportApproved
        if expected == ExportStatus.APPROVED
        else AuditTag.DisclosureExportRefused
    )


@pytest.mark.parametrize("allowed", [1, 3])
def test_racing_downloads_release_exactly_the_allowed_number_and_refuse_the_rest_as_used(settings, allowed):
    settings.DISCLOSURE_EXPORT_MAX_DOWNLOADS = allowed
    world = build_world()
    children = _children(world)
    (leo,) = _colleagues(world, 1)
    for _ in range(ROUNDS):
        export = export_decide(export=_pending(world, children), by=leo, approve=True, reason="Checked")

        def download(_: int, export: DisclosureExport = export) -> str:
            try:
                export_release(
                    export=export,
                    by=world.lena,
                    approval_stands=export_approval_stands,
                    build=file_built(world.lena),
                )
            except NotDownloadable as refused:
                return f"refused: {refused.availability}"
            return "released"

        outcomes = run_together(WRITERS, download)
        assert sorted(outcomes) == sorted(
            ["released"] * allowed + [f"refused: {Availability.USED}"] * (WRITERS - allowed)
        ), outcomes
        export.refresh_from_db()
        assert export.downloads == allowed
        assert _events(AuditTag.DisclosureExportDownloaded, export) == allowed * len(children)
        assert _events(AuditTag.DisclosureExportExpiredAttempt, export) == WRITERS - allowed


def test_racing_decisions_decide_once_and_the_others_are_told_it_is_already_decided():
    world = build_world()
    children = _children(world)
    deciders = _colleagues(world, WRITERS)
    for _ in range(ROUNDS):
        export = _pending(world, children)

        def decision(index: int, export: DisclosureExport = export) -> str:
            approve = index % 2 == 0  # half approve, half refuse: whichever lands first is the decision
            try:
                export_decide(export=export, by=deciders[index], approve=approve, reason=f"Decider {index}")
            except AlreadyDecided:
                return "already decided"
            return f"decided by {index}"

        _assert_decided_once(run_together(WRITERS, decision), export, deciders)


def _download_form(client: Client, export: DisclosureExport) -> dict[str, str]:
    """The token from the export page's download form (the page shows the passphrase once)."""
    page = client.get(reverse("team:export", args=[export.pk])).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token, "the export page offers no download"
    return {"token": token.group(1)}


def test_racing_download_requests_get_one_file_and_the_others_410_this_export_has_expired():
    world = build_world()
    children = _children(world)
    (leo,) = _colleagues(world, 1)
    export = export_decide(export=_pending(world, children), by=leo, approve=True, reason="Checked")
    clients = [signed_in(world.lena) for _ in range(WRITERS)]
    forms = [_download_form(client, export) for client in clients]  # every tab open before anyone downloads

    def download(index: int) -> str:
        response = clients[index].post(reverse("team:export_download", args=[export.pk]), forms[index])
        if response.status_code == 200 and response["Content-Type"] == "application/zip":
            return "file"
        body = response.content.decode()
        if response.status_code == 410 and "This export has expired</h1>" in body:
            return "410 expired: used" if "already been downloaded" in body else "410 expired: other"
        return f"unexpected {response.status_code}"

    outcomes = run_together(WRITERS, download)
    assert sorted(outcomes) == sorted(["file"] + ["410 expired: used"] * (WRITERS - 1)), outcomes
    export.refresh_from_db()
    assert export.downloads == 1
    assert _events(AuditTag.DisclosureExportDownloaded, export) == len(children)
    assert _events(AuditTag.DisclosureExportExpiredAttempt, export) == WRITERS - 1


def test_racing_decision_posts_decide_once_and_the_page_tells_the_others_it_is_already_decided():
    world = build_world()
    export = _pending(world, _children(world))
    deciders = _colleagues(world, WRITERS)
    clients = [signed_in(decider) for decider in deciders]

    def decision(index: int) -> str:
        choice = "approve" if index % 2 == 0 else "refuse"
        url = reverse("team:export_decision", args=[export.pk])
        response = clients[index].post(url, {"decision": choice, "reason": f"Decider {index}"}, follow=True)
        page = response.content.decode()
        if "This request has already been decided." in page:
            return "already decided"
        if "Export approved." in page or "Export refused." in page:
            return f"decided by {index}"
        return f"unexpected {response.status_code}"

    _assert_decided_once(run_together(WRITERS, decision), export, deciders)
