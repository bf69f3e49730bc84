"""A disclosure export's approval stands only while its approver could still give it.

The second pair of eyes is the control (docs/SECURITY.md "No bulk export", step 2): a suspended account
cannot decide. But the download asked only whether the requester was still vetted, never the approver:
a colleague suspended for misuse after approving (the LA team acting on a misuse alert, perhaps about
that very pair) left the export downloadable for the rest of its 7 days, so the suspension did not stop
the disclosure the suspended person had approved. The download now re-asks the policy about the
approver, as it does about the requester; an approval that no longer stands is refused like an expired
one (410, nothing released, the attempt audited) and the export page says why.
"""

import re

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.services import account_close, account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from disclosure.models import DisclosureExport, ExportStatus, LawfulBasis
from tests.journeys import signed_in
from tests.personas import make_child, make_user


@pytest.fixture
def leo(world):
    return make_user("leo", world.north, Role.LA_TEAM)


def _approved(world, leo) -> DisclosureExport:
    lena = signed_in(world.lena)
    child = make_child(world)
    response = lena.post(
        reverse("team:export_new"),
        {
            "lawful_basis": LawfulBasis.COURT_ORDER,
            "reference": "CO-2026-311",
            "index_numbers": child.index_number,
            "details": ["name", "address"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    export = DisclosureExport.objects.get()
    decided = signed_in(leo).post(
        reverse("team:export_decision", args=[export.pk]), {"decision": "approve", "reason": "Order seen"}
    )
    assert decided.status_code == 302
    export.refresh_from_db()
    assert export.status == ExportStatus.APPROVED
    return export


def _token(client, export) -> str:
    page = client.get(reverse("team:export", args=[export.pk])).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token, "the export page offers no download"
    return token.group(1)


def test_an_export_approved_by_someone_suspended_since_is_not_released(world, leo):
    export = _approved(world, leo)
    lena = signed_in(world.lena)
    token = _token(lena, export)  # the page read while the approval still stood (a second tab)
    assert account_suspend(user=leo, by=world.lena, reason="Misuse alert under investigation")

    response = lena.post(reverse("team:export_download", args=[export.pk]), {"token": token})

    assert response.status_code == 410
    assert response.get("Content-Type", "").startswith("text/html")
    body = response.content.decode()
    assert "approved it can no longer approve exports" in body and "Nothing was downloaded" in body
    export.refresh_from_db()
    assert export.downloads == 0
    assert not AuditEvent.objects.filter(tag=AuditTag.DisclosureExportDownloaded).exists()
    (attempt,) = AuditEvent.objects.filter(tag=AuditTag.DisclosureExportExpiredAttempt)
    assert attempt.actor_id == world.lena.pk and attempt.additional["availability"] == "withdrawn"

    page = lena.get(reverse("team:export", args=[export.pk])).content.decode()
    assert 'id="export-passphrase"' not in page and 'name="token"' not in page
    assert 'id="export-withdrawn"' in page and "Approval withdrawn" in page
    listing = lena.get(reverse("team:exports")).content.decode()
    assert "Approval withdrawn" in listing


def test_an_export_approved_by_someone_whose_account_was_closed_since_is_not_offered(world, leo):
    export = _approved(world, leo)
    assert account_close(user=leo, by=world.lena)
    page = signed_in(world.lena).get(reverse("team:export", args=[export.pk])).content.decode()
    assert 'id="export-passphrase"' not in page and 'id="export-withdrawn"' in page


def test_an_approval_by_a_colleague_still_in_post_is_downloaded(world, leo):
    """Control: nothing changed about the approver, so the file is released."""
    export = _approved(world, leo)
    lena = signed_in(world.lena)
    response = lena.post(reverse("team:export_download", args=[export.pk]), {"token": _token(lena, export)})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert AuditEvent.objects.filter(tag=AuditTag.DisclosureExportDownloaded).count() == 1


def test_a_request_nobody_has_approved_has_no_approval_to_stand(world):
    from access.policy import export_approval_stands

    lena = signed_in(world.lena)
    child = make_child(world)
    lena.post(
        reverse("team:export_new"),
        {
            "lawful_basis": LawfulBasis.COURT_ORDER,
            "reference": "CO-2026-312",
            "index_numbers": child.index_number,
            "details": ["name"],
        },
    )
    assert export_approval_stands(DisclosureExport.objects.get()) is False
