"""A disclosure file never tells its recipient that a shielded child moved to another LA.

The file goes outside the system (to a court, the police, a safeguarding board). A child moved to another
LA since the request is withheld from it, and each cell said why: "Withheld: no longer held by your local
authority". For a shielded child that is what the shield hides (where the child is, and that it moved):
the subject access report leaves a shielded child's moves out, and the file already says a record closed
for a new identity as it says a record removed, which gives no reason. A shielded child moved away is now
said the same way ("Withheld: record removed"), so its row reads as a closed or removed record's does and
a reader cannot single the move out. An unshielded child's move is still said; the download's audit (for
the LA team and auditors) still records the reason, `other_la`.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from team.disclosure_file import WITHHELD_REMOVED
from team.tests.test_disclosure_exports import _approved, _download, _rows, leo  # noqa: F401
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import Role, make_child, make_user

FIELDS = ("name", "date_of_birth", "address")
MOVED_SAID = "Withheld: no longer held by your local authority"


@pytest.mark.django_db
def test_a_shielded_child_moved_away_since_the_request_is_withheld_as_a_record_removed(
    world,
    leo,  # noqa: F811
    child,
    shielded_child,
):
    closed = make_child(world, given_names="Kai", family_name="Lindqvist", shielded=True)
    export = _approved(world, leo, [child, shielded_child, closed], fields=FIELDS)
    Child.objects.filter(pk__in=[child.pk, shielded_child.pk]).update(local_authority=world.south)
    Child.objects.filter(pk=closed.pk).update(status=RecordStatus.CLOSED)

    response, passphrase = _download(signed_in(world.lena), export)

    assert response.status_code == 200
    rows = {row[0]: row[1:] for row in _rows(response.content, passphrase)[1:]}
    assert rows[shielded_child.index_number] == [WITHHELD_REMOVED] * len(FIELDS)
    assert rows[shielded_child.index_number] == rows[closed.index_number]  # no row stands out
    assert rows[child.index_number] == [MOVED_SAID] * len(FIELDS)  # not shielded: the move is said
    downloaded = AuditEvent.objects.get(tag=AuditTag.DisclosureExportDownloaded, child_id=shielded_child.pk)
    assert downloaded.additional["withheld_reason"] == "other_la"
    assert downloaded.additional["withheld_fields"] == list(FIELDS)


@pytest.mark.django_db
def test_the_shielded_childs_subject_access_report_lists_the_disclosure_and_not_the_move(
    world,
    leo,  # noqa: F811
    shielded_child,
):
    export = _approved(world, leo, [shielded_child], fields=FIELDS)
    Child.objects.filter(pk=shielded_child.pk).update(local_authority=world.south)
    _download(signed_in(world.lena), export)
    stella = make_user("stella", world.south, Role.LA_TEAM)  # the team that holds the record now

    response = signed_in(stella).post(
        reverse("audit:subject_access", args=[shielded_child.pk]),
        {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"},
    )

    page = rendered(response, heading="Subject access report")
    assert "Downloaded an approved disclosure export naming this child" in page
    assert "no longer held" not in page
