"""A release is never counted or audited without a file to hand over.

The download page goes on to the release without a passphrase (a token too old or tampered with) only to
have an expired, used or withdrawn export refused and the attempt audited. An export found withdrawn (its
approver suspended) whose approver is reinstated in that instant is ready again inside the release: it
used the one download up and audited it against every child, then found no file to build, and the
requester was sent back to the page having received nothing. Now a release with no build is refused
before anything is counted or audited.
"""

import pytest
from django.urls import reverse

import team.exports
from access.policy import export_approval_stands
from accounts.models import Role
from accounts.services import account_reinstate, account_suspend
from audit.tags import AuditTag
from disclosure.models import DisclosureExport, LawfulBasis
from disclosure.services import Availability, NotDownloadable, export_decide, export_release, export_request
from disclosure.tests.downloads import events
from tests.journeys import signed_in
from tests.personas import make_child, make_user


def _approved(world, leo) -> DisclosureExport:
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-419",
        children=[make_child(world)],
        fields=["name", "date_of_birth"],
    )
    return export_decide(export=export, by=leo, approve=True, reason="Order seen")


def test_a_post_without_a_passphrase_on_an_export_whose_approver_is_reinstated_meanwhile_releases_nothing(
    world, monkeypatch
):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = _approved(world, leo)
    assert account_suspend(user=leo, by=None, reason="Rule: exports approved per day")
    lena = signed_in(world.lena)
    real_release = team.exports.export_release

    def reinstated_then_released(**kwargs):
        # The page found the approval withdrawn and went on without a passphrase; the approver is
        # reinstated in that instant, before the release reads the export.
        account_reinstate(user=leo, by=world.lena)
        return real_release(**kwargs)

    monkeypatch.setattr(team.exports, "export_release", reinstated_then_released)
    response = lena.post(reverse("team:export_download", args=[export.pk]), {"token": "not-a-token"})

    assert response.status_code == 302 and response["Location"] == reverse("team:export", args=[export.pk])
    export.refresh_from_db()
    assert export.downloads == 0
    assert not events(AuditTag.DisclosureExportDownloaded)


def test_the_service_refuses_a_ready_release_with_no_build(world):
    export = _approved(world, make_user("leo", world.north, Role.LA_TEAM))

    with pytest.raises(NotDownloadable) as refused:
        export_release(export=export, by=world.lena, approval_stands=export_approval_stands)

    assert refused.value.availability == Availability.READY
    export.refresh_from_db()
    assert export.downloads == 0
    assert not events(AuditTag.DisclosureExportDownloaded)
