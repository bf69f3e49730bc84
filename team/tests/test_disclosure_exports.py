"""Disclosure exports: the one route out for a file naming children (docs/SECURITY.md "No bulk export").

One LA team member asks, a different member of the same team decides, the asker alone downloads an
AES-encrypted file once, before the approval expires; every step is audited.
"""

import csv
import io
import re
from datetime import date, timedelta

import pytest
import pyzipper
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import InvolvementDetails, SensitiveCategory
from children.services import involvement_record
from disclosure.fields import SHIELDED_WITHHELD
from disclosure.models import DisclosureExport, ExportStatus, LawfulBasis
from disclosure.services import Availability
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user
from tests.test_titles import title_matches_heading

ALL_FIELDS = ["name", "date_of_birth", "address", "educational_setting", "gp_practice", "carers", "services"]


@pytest.fixture
def leo(world):
    """A second member of North's LA team: the colleague who can approve lena's requests."""
    return make_user("leo", world.north, Role.LA_TEAM)


@pytest.fixture
def two_children(world):
    return [
        make_child(world),
        make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW"),
    ]


def _request(client, children, fields=("name", "date_of_birth"), **changes):
    data = {
        "lawful_basis": LawfulBasis.COURT_ORDER,
        "reference": "CO-2026-118",
        "index_numbers": "\n".join(child.index_number for child in children),
        "details": list(fields),
        **changes,
    }
    return client.post(reverse("team:export_new"), data)


def _requested(world, children, fields=("name", "date_of_birth")) -> DisclosureExport:
    response = _request(signed_in(world.lena), children, fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    return DisclosureExport.objects.get()


def _decide(client, export, decision="approve", reason="Court order checked"):
    return client.post(
        reverse("team:export_decision", args=[export.pk]), {"decision": decision, "reason": reason}
    )


def _approved(world, leo, children, fields=("name", "date_of_birth")) -> DisclosureExport:
    export = _requested(world, children, fields)
    assert _decide(signed_in(leo), export).status_code == 302
    export.refresh_from_db()
    assert export.status == ExportStatus.APPROVED
    return export


def _download(client, export):
    """Open the export page (which shows the passphrase once), then download with its form."""
    page = client.get(reverse("team:export", args=[export.pk])).content.decode()
    passphrase = re.search(r'id="export-passphrase"><code>([\w-]+)</code>', page)
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert passphrase and token, "the export page offers no download"
    response = client.post(reverse("team:export_download", args=[export.pk]), {"token": token.group(1)})
    return response, passphrase.group(1)


def _rows(body: bytes, passphrase: str) -> list[list[str]]:
    with pyzipper.AESZipFile(io.BytesIO(body)) as archive:
        archive.setpassword(passphrase.encode())
        (name,) = archive.namelist()
        text = archive.read(name).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def _events(tag):
    return list(AuditEvent.objects.filter(tag=tag))


def test_an_la_team_member_requests_an_export_of_their_own_las_children_and_it_is_audited(
    world, two_children
):
    export = _requested(world, two_children)
    assert export.status == ExportStatus.PENDING and export.requested_by == world.lena
    assert export.fields == ["name", "date_of_birth"]
    (event,) = _events(AuditTag.DisclosureExportRequested)
    assert event.actor_id == world.lena.pk
    assert event.additional["child_ids"] == sorted(str(child.pk) for child in two_children)
    assert event.additional["lawful_basis"] == LawfulBasis.COURT_ORDER
    page = rendered(
        signed_in(world.lena).get(reverse("team:export", args=[export.pk])), heading="Disclosure export"
    )
    assert "Waiting for approval" in page and 'id="export-waiting"' in page
    assert 'id="export-passphrase"' not in page


def test_another_las_child_is_answered_like_an_unknown_index_number(world, child):
    south_child = make_child(world, la=world.south, given_names="Noah", family_name="Begum")
    page = _request(signed_in(world.lena), [child, south_child]).content.decode()
    assert (
        f"No active record held by your local authority has the index number {south_child.index_number}"
        in page
    )
    assert not DisclosureExport.objects.exists()


def test_an_export_names_at_most_the_cap_of_children(world, settings, two_children):
    settings.DISCLOSURE_EXPORT_MAX_CHILDREN = 1
    page = _request(signed_in(world.lena), two_children).content.decode()
    assert "An export can name at most 1 children: this is never a bulk download" in page
    assert not DisclosureExport.objects.exists()


def test_each_field_is_chosen_from_the_allow_list(world, two_children):
    client = signed_in(world.lena)
    assert "Select the details that are needed" in _request(client, two_children, fields=()).content.decode()
    page = _request(client, two_children, fields=("name", "source_identifiers")).content.decode()
    assert "Select only details from the list" in page
    assert not DisclosureExport.objects.exists()


def test_the_requester_cannot_approve_their_own_request(world, two_children):
    export = _requested(world, two_children)
    response = _decide(signed_in(world.lena), export)
    assert response.status_code == 403
    assert "You cannot approve or refuse your own export request" in response.content.decode()
    export.refresh_from_db()
    assert export.status == ExportStatus.PENDING
    assert not _events(AuditTag.DisclosureExportApproved)
    page = signed_in(world.lena).get(reverse("team:export", args=[export.pk])).content.decode()
    assert "Approve or refuse this request" not in page


@pytest.mark.parametrize(
    "who", ["stella", "alice", "olivia", "nadia", "dara", "suspended_team", "lapsed_team"]
)
def test_nobody_but_a_colleague_in_the_same_la_team_can_decide(world, two_children, who):
    today = timezone.localdate()
    people = {
        "stella": lambda: make_user("stella", world.south, Role.LA_TEAM),
        "alice": lambda: world.alice,
        "olivia": lambda: world.olivia,
        "nadia": lambda: world.nadia,
        "dara": lambda: world.dara,
        "suspended_team": lambda: make_user(
            "suspended_team", world.north, Role.LA_TEAM, suspended_at=timezone.now()
        ),
        "lapsed_team": lambda: make_user(
            "lapsed_team", world.north, Role.LA_TEAM, training_completed_on=today - timedelta(days=400)
        ),
    }
    export = _requested(world, two_children)
    response = _decide(signed_in(people[who]()), export)
    assert response.status_code in (302, 403)
    if response.status_code == 302:  # a lapsed account is sent to the course, never to the decision
        assert response["Location"] == reverse("training:course")
    export.refresh_from_db()
    assert export.status == ExportStatus.PENDING and export.decided_by is None


def test_a_colleague_in_the_same_la_team_approves_it_and_it_is_audited(world, leo, two_children):
    export = _approved(world, leo, two_children)
    assert export.decided_by == leo
    assert export.expires_at is not None
    assert timedelta(days=6) < export.expires_at - timezone.now() <= timedelta(days=7)
    (event,) = _events(AuditTag.DisclosureExportApproved)
    assert event.actor_id == leo.pk and event.additional["export_id"] == str(export.pk)
    assert _decide(signed_in(leo), export, decision="refuse").status_code == 302  # already decided
    export.refresh_from_db()
    assert export.status == ExportStatus.APPROVED and len(_events(AuditTag.DisclosureExportRefused)) == 0


def test_a_refused_request_says_why_and_cannot_be_downloaded(world, leo, two_children):
    export = _requested(world, two_children)
    assert (
        _decide(signed_in(leo), export, decision="refuse", reason="No court order attached").status_code
        == 302
    )
    (event,) = _events(AuditTag.DisclosureExportRefused)
    assert event.actor_id == leo.pk
    client = signed_in(world.lena)
    page = client.get(reverse("team:export", args=[export.pk])).content.decode()
    assert "No court order attached" in page and 'id="export-refused"' in page
    assert 'id="export-passphrase"' not in page
    response = client.post(reverse("team:export_download", args=[export.pk]), {"token": "x"})
    assert response.status_code == 302 and not _events(AuditTag.DisclosureExportDownloaded)


def test_a_decision_needs_a_choice_and_a_reason(world, leo, two_children):
    export = _requested(world, two_children)
    page = _decide(signed_in(leo), export, decision="", reason="").content.decode()
    assert "Select whether you approve this export" in page and "Enter the reason for your decision" in page
    assert "<title>Error: Disclosure export" in page


def test_only_the_requester_downloads(world, leo, two_children):
    export = _approved(world, leo, two_children)
    client = signed_in(leo)
    page = client.get(reverse("team:export", args=[export.pk])).content.decode()
    assert 'id="export-passphrase"' not in page
    response = client.post(reverse("team:export_download", args=[export.pk]), {"token": "x"})
    assert response.status_code == 403
    assert "Only the person who asked for this export can download it" in response.content.decode()
    assert not _events(AuditTag.DisclosureExportDownloaded)


def test_the_file_is_aes_encrypted_and_holds_only_the_approved_fields(world, leo, two_children):
    export = _approved(world, leo, two_children, fields=("name", "date_of_birth"))
    response, passphrase = _download(signed_in(world.lena), export)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content
    assert b"Thornton" not in body and b"Lindqvist" not in body  # nothing readable if the file is lost
    with pyzipper.AESZipFile(io.BytesIO(body)) as archive:
        assert archive.infolist()[0].flag_bits & 0x1  # the entry is encrypted
        with pytest.raises(RuntimeError):
            archive.read(archive.namelist()[0])  # no passphrase, no content
    rows = _rows(body, passphrase)
    assert rows[0] == ["Index number", "Name", "Date of birth"]
    by_number = {row[0]: row[1:] for row in rows[1:]}
    assert by_number == {
        two_children[0].index_number: ["Amelia Thornton", "2015-03-04"],
        two_children[1].index_number: ["Kai Lindqvist", "2015-03-04"],
    }
    assert b"LS1 4AB" not in body


def test_a_shielded_childs_location_is_never_exported(world, leo, child, shielded_child):
    export = _approved(world, leo, [child, shielded_child], fields=ALL_FIELDS)
    response, passphrase = _download(signed_in(world.lena), export)
    rows = {row[0]: row for row in _rows(response.content, passphrase)}
    shielded = rows[shielded_child.index_number]
    assert shielded[1:3] == ["Jasmine Okafor", "2015-03-04"]
    assert shielded[3:] == [SHIELDED_WITHHELD] * 5
    assert "LS6 2QT" not in ",".join(shielded)
    assert "LS1 4AB" in rows[child.index_number][3]  # the ordinary child's address is there: it was asked for


def test_sensitive_services_and_source_identifiers_are_never_exported(world, leo, child, two_children):
    involvement_record(
        child=child,
        by=world.bob,
        details=InvolvementDetails(
            "Nurse Quillon Abernethy",
            "Sexual health outreach nurse",
            world.south_gp.pk,
            started_on=date(2024, 2, 1),
            sensitive_category=SensitiveCategory.SEXUAL_HEALTH,
        ),
    )
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            "Alice Example", "Family keyworker", world.north_social_care.pk, started_on=date(2024, 1, 1)
        ),
    )
    export = _approved(world, leo, [child], fields=ALL_FIELDS)
    response, passphrase = _download(signed_in(world.lena), export)
    text = "\n".join(",".join(row) for row in _rows(response.content, passphrase))
    assert "Family keyworker" in text and "Northshire Children's Services" in text
    assert "Sexual health" not in text and "Quillon" not in text
    assert "943 476 5919" not in text  # the NHS number on every test child


def test_the_download_names_each_child_so_their_access_and_subject_access_reports_show_it(
    world, leo, two_children
):
    export = _approved(world, leo, two_children)
    _download(signed_in(world.lena), export)
    events = _events(AuditTag.DisclosureExportDownloaded)
    assert sorted(str(e.child_id) for e in events) == sorted(str(c.pk) for c in two_children)
    assert all(e.actor_id == world.lena.pk and e.additional["export_id"] == str(export.pk) for e in events)
    report = signed_in(leo).get(reverse("audit:child_access", args=[two_children[0].pk])).content.decode()
    assert "Downloaded an approved disclosure export naming this child" in report
    sar = signed_in(leo).post(
        reverse("audit:subject_access", args=[two_children[0].pk]),
        {"identity_checked": "on", "reference": "SAR-2026-0042"},
    )
    sar_page = rendered(sar, heading="Subject access report")
    assert "Disclosure: A court order or another requirement of law" in sar_page


def test_it_downloads_once_then_the_page_says_it_has_expired(world, leo, two_children):
    export = _approved(world, leo, two_children)
    client = signed_in(world.lena)
    first, _ = _download(client, export)
    assert first.status_code == 200
    again = client.post(reverse("team:export_download", args=[export.pk]), {"token": "x"})
    assert again.status_code == 410
    rendered_again = again.content.decode()
    assert "This export has expired</h1>" in rendered_again and "already been downloaded" in rendered_again
    assert title_matches_heading(rendered_again) is None
    (attempt,) = _events(AuditTag.DisclosureExportExpiredAttempt)
    assert attempt.additional == {
        "actor_role": Role.LA_TEAM,
        "export_id": str(export.pk),
        "availability": "used",
    }
    page = client.get(reverse("team:export", args=[export.pk])).content.decode()
    assert 'id="export-expired"' in page and 'id="export-passphrase"' not in page
    assert len(_events(AuditTag.DisclosureExportDownloaded)) == 2  # one per child, the first time only


def test_after_the_expiry_the_download_is_refused_and_the_attempt_audited(world, leo, two_children):
    export = _approved(world, leo, two_children)
    client = signed_in(world.lena)
    page = client.get(reverse("team:export", args=[export.pk])).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    DisclosureExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(reverse("team:export_download", args=[export.pk]), {"token": token})
    assert response.status_code == 410 and "Its approval has run out" in response.content.decode()
    (attempt,) = _events(AuditTag.DisclosureExportExpiredAttempt)
    assert attempt.additional["availability"] == "expired"
    assert not _events(AuditTag.DisclosureExportDownloaded)
    assert "This export has expired" in client.get(reverse("team:export", args=[export.pk])).content.decode()


def test_a_passphrase_token_from_another_export_is_not_accepted(world, leo, two_children):
    first = _approved(world, leo, two_children[:1])
    page = signed_in(world.lena).get(reverse("team:export", args=[first.pk])).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    _request(signed_in(world.lena), two_children[1:])
    second = DisclosureExport.objects.exclude(pk=first.pk).get()
    _decide(signed_in(leo), second)
    response = signed_in(world.lena).post(reverse("team:export_download", args=[second.pk]), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("team:export", args=[second.pk])
    second.refresh_from_db()
    assert second.downloads == 0 and not _events(AuditTag.DisclosureExportDownloaded)


def test_the_list_shows_only_the_own_las_requests(world, leo, two_children):
    export = _requested(world, two_children)
    listing = rendered(signed_in(leo).get(reverse("team:exports")), heading="Disclosure exports")
    assert reverse("team:export", args=[export.pk]) in listing
    stella = make_user("stella", world.south, Role.LA_TEAM)
    other = rendered(signed_in(stella).get(reverse("team:exports")), heading="Disclosure exports")
    assert reverse("team:export", args=[export.pk]) not in other and 'id="no-exports"' in other
    assert signed_in(stella).get(reverse("team:export", args=[export.pk])).status_code == 403


def test_a_child_archived_or_moved_since_the_request_is_withheld_from_the_file(
    world, leo, child, two_children
):
    from children.models import Child
    from lifecycle.services import child_archive

    archived, moved = two_children
    export = _approved(world, leo, [child, archived, moved], fields=("name", "date_of_birth"))
    child_archive(child_id=archived.pk, rule="age", today=timezone.localdate())
    Child.objects.filter(pk=moved.pk).update(local_authority=world.south)
    response, passphrase = _download(signed_in(world.lena), export)
    rows = {row[0]: row[1:] for row in _rows(response.content, passphrase)[1:]}
    assert rows[child.index_number] == ["Amelia Thornton", "2015-03-04"]
    assert rows[archived.index_number] == ["Withheld: record archived since the request"] * 2
    assert rows[moved.index_number] == ["Withheld: no longer held by your local authority"] * 2


def test_a_child_whose_record_was_closed_for_a_new_identity_since_the_request_is_withheld(world, leo, child):
    """A new identity closes the old record: an export asked for before then must not carry the old one."""
    from children.models import Child, RecordStatus

    export = _approved(world, leo, [child], fields=("name", "date_of_birth"))
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    response, passphrase = _download(signed_in(world.lena), export)
    rows = {row[0]: row[1:] for row in _rows(response.content, passphrase)[1:]}
    assert rows[child.index_number] == ["Withheld: record removed"] * 2  # never that it was closed


def test_a_download_without_a_token_read_before_the_approval_releases_nothing(
    world, leo, two_children, monkeypatch
):
    """A POST without the page's passphrase token that read the request as still waiting, approved an
    instant later, went on to the release: the one download used up and "downloaded" audited for every
    child (told to the parent in each subject access report), then no file, as there was no passphrase."""
    export = _approved(world, leo, two_children)
    monkeypatch.setattr(
        "team.exports.export_availability", lambda export, approval_stands: Availability.PENDING
    )

    response = signed_in(world.lena).post(reverse("team:export_download", args=[export.pk]), {})

    assert response.status_code == 302 and response["Location"] == reverse("team:export", args=[export.pk])
    export.refresh_from_db()
    assert export.downloads == 0 and not _events(AuditTag.DisclosureExportDownloaded)
