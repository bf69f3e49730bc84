"""A requester moved to another LA, or out of the LA team, after the download page's check gets no file.

The download asked the policy about the requester at the start of the request (their own LA's export,
their role allowed to download it), then the release re-read only whether they were still vetted
(suspended, closed, lapsed, de-accredited) under the account's lock. Lena, moved to Southborough's team
(or made a practitioner, or her organisation put in another LA) a moment after her page passed her,
still took the file of Northshire's children. Now the download's own policy question is asked again on
the account as stored, under the release's locks: refused in words, audited as a refusal, nothing
counted or released. (An approval still stands meanwhile: only the approver's changes withdraw it.)
"""

import re

import pytest
from django.urls import reverse

from access.permissions import Permission
from accounts.models import Role, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from disclosure.models import DisclosureExport, LawfulBasis
from disclosure.services import export_decide, export_request
from team import exports as export_pages
from team.tests.moving import HOWS, moved
from tests.journeys import signed_in
from tests.personas import World, make_child, make_user


def _approved(world: World, requester: User) -> DisclosureExport:
    export = export_request(
        by=requester,
        local_authority=world.north,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-411",
        children=[make_child(world)],
        fields=["name", "address"],
    )
    approver = world.lena if requester != world.lena else make_user("leo", world.north, Role.LA_TEAM)
    return export_decide(export=export, by=approver, approve=True, reason="Order seen")


def _requester(world: World, how: str) -> User:
    if how == "organisation moved to another LA":  # an LA team member in one of the LA's own services
        return make_user("rita", world.north_social_care, Role.LA_TEAM)
    return world.lena


@pytest.mark.parametrize("how", HOWS)
def test_a_requester_changed_after_the_pages_check_is_refused_and_nothing_released(world, monkeypatch, how):
    requester = _requester(world, how)
    export = _approved(world, requester)
    client = signed_in(requester)
    page = client.get(reverse("team:export", args=[export.pk])).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token, "the export page offers no download"
    real = export_pages.export_release

    def changed_then_released(**kwargs):
        moved(world, requester, how)  # after the download's own policy check, before the release
        return real(**kwargs)

    monkeypatch.setattr(export_pages, "export_release", changed_then_released)

    response = client.post(reverse("team:export_download", args=[export.pk]), {"token": token.group(1)})

    assert response.status_code == 403
    assert response.get("Content-Type", "").startswith("text/html")
    body = response.content.decode()
    reason = "role_not_permitted" if how == "role changed" else "other_la"
    said = (
        "Your role does not allow this."
        if how == "role changed"
        else "This belongs to another local authority."
    )
    assert said in body
    export.refresh_from_db()
    assert export.downloads == 0
    assert not AuditEvent.objects.filter(tag=AuditTag.DisclosureExportDownloaded).exists()
    (refusal,) = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor_id=requester.pk)
    assert refusal.additional["action"] == str(Permission.DisclosureExportDownload)
    assert refusal.additional["reason"] == reason


def test_a_requester_unchanged_still_gets_the_file(world):
    """Control: nothing changed about the requester, so the file is released once and audited."""
    export = _approved(world, world.lena)
    client = signed_in(world.lena)
    page = client.get(reverse("team:export", args=[export.pk])).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post(reverse("team:export_download", args=[export.pk]), {"token": token})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    export.refresh_from_db()
    assert export.downloads == 1
    assert AuditEvent.objects.filter(tag=AuditTag.DisclosureExportDownloaded).count() == 1
