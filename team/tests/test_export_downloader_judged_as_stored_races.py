"""The requester changed on another session while their download is on its way (PostgreSQL, two sessions).

Committed after the page's check: the release judges the account as stored and refuses (no file, audited).
Arriving while the file is built: the change waits for the download (the account's row is locked, its
organisation held), so the file was judged and built as of one moment. See
`test_export_downloader_judged_as_stored` for the story.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import Organisation, Role, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from disclosure.models import DisclosureExport
from team import exports as export_pages
from team.tests.moving import HOWS
from team.tests.test_export_downloader_judged_as_stored import _approved, _requester
from tests.concurrency import WAITED, paused_for, postgresql_race, waiting_at_most
from tests.journeys import signed_in
from tests.personas import World

pytestmark = postgresql_race("PostgreSQL only: the change commits on another session")


def _change(world: World, requester: User, how: str) -> Callable[[], Any]:
    """The change, written as its page writes it: the account's row, or the organisation locked FOR UPDATE
    by the administrator's edit (`administration.organisations._administrator_held`)."""

    def change() -> None:
        with transaction.atomic():
            if how == "account moved to another LA":
                User.objects.filter(pk=requester.pk).update(organisation=world.south)
            elif how == "role changed":
                User.objects.filter(pk=requester.pk).update(role=Role.PRACTITIONER)
            else:
                organisation = Organisation.objects.select_for_update().get(pk=world.north_social_care.pk)
                organisation.local_authority = world.south
                organisation.save(update_fields=["local_authority"])

    return change


def _download(requester: User, export: DisclosureExport) -> Callable[[], Any]:
    client = signed_in(requester)
    page = client.get(reverse("team:export", args=[export.pk])).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token, "the export page offers no download"
    return lambda: client.post(reverse("team:export_download", args=[export.pk]), {"token": token.group(1)})


@pytest.mark.parametrize("how", HOWS)
def test_a_change_committed_after_the_pages_check_refuses_the_download(world, monkeypatch, how):
    requester = _requester(world, how)
    export = _approved(world, requester)
    response, _ = paused_for(
        monkeypatch,
        export_pages,
        "step_up",
        read=_download(requester, export),
        write=_change(world, requester, how),
    )
    assert response.status_code == 403
    export.refresh_from_db()
    assert export.downloads == 0
    assert not AuditEvent.objects.filter(tag=AuditTag.DisclosureExportDownloaded).exists()
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor_id=requester.pk).count() == 1


@pytest.mark.parametrize("how", HOWS)
def test_a_change_arriving_while_the_file_is_built_waits_for_the_download(world, monkeypatch, how):
    requester = _requester(world, how)
    export = _approved(world, requester)
    response, changed = paused_for(
        monkeypatch,
        export_pages,
        "export_built",
        before=True,
        read=_download(requester, export),
        write=waiting_at_most(_change(world, requester, how)),
    )
    assert changed == WAITED  # the download holds the account (or its organisation) as it was judged
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    export.refresh_from_db()
    assert export.downloads == 1
