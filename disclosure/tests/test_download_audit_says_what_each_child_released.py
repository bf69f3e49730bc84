"""The download's audit says, child by child, whether the file released its fields or withheld them, and why.

The file withholds a child's row (its index number kept, every other cell "Withheld: ...") when the record
was archived or closed since the request, moved to another LA, or removed (its key shredded by a merge or
purge that then failed), and withholds a shielded child's locating fields. The download's event for each
child carried the export's approved fields all the same: an auditor reading the log took every child's
fields as disclosed. Now each child's event names the fields the file carried for it and the fields it
withheld, with a reason code (never a value from the record), exactly as the file was built.
"""

from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from disclosure.fields import SHIELDED_WITHHELD
from team.tests.test_disclosure_exports import _approved, _download, _rows
from tests.journeys import signed_in
from tests.personas import make_child, make_user
from tests.shredding import shred_rolled_back

FIELDS = ("name", "date_of_birth", "address")


def _downloaded(world, export) -> tuple[dict[str, list[str]], dict]:
    response, passphrase = _download(signed_in(world.lena), export)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    rows = {row[0]: row[1:] for row in _rows(response.content, passphrase)[1:]}
    events = {
        event.child_id: event.additional
        for event in AuditEvent.objects.filter(tag=AuditTag.DisclosureExportDownloaded)
    }
    return rows, events


def test_each_childs_download_event_says_which_fields_were_released_and_which_withheld_and_why(world):
    from lifecycle.services import child_archive

    kept = make_child(world)
    archived = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    closed = make_child(world, given_names="Noor", family_name="Haddad", postcode="LS3 1AA")
    removed = make_child(world, given_names="Ola", family_name="Berg", postcode="LS4 2BB")
    shielded = make_child(world, given_names="Ivy", family_name="Marsh", postcode="LS5 3CC", shielded=True)
    children = [kept, archived, closed, removed, shielded]
    export = _approved(world, make_user("leo", world.north, Role.LA_TEAM), children, fields=FIELDS)
    child_archive(child_id=archived.pk, rule="age", today=timezone.localdate())
    Child.objects.filter(pk=closed.pk).update(status=RecordStatus.CLOSED)
    shred_rolled_back(removed)

    rows, events = _downloaded(world, export)

    assert set(events) == {child.pk for child in children}
    expected = {
        kept.pk: (list(FIELDS), [], None),
        archived.pk: ([], list(FIELDS), "archived"),
        closed.pk: ([], list(FIELDS), "closed"),
        removed.pk: ([], list(FIELDS), "removed"),
        shielded.pk: (["name", "date_of_birth"], ["address"], "shielded"),
    }
    for child in children:
        event = events[child.pk]
        released, withheld, reason = expected[child.pk]
        assert (event["released_fields"], event["withheld_fields"], event["withheld_reason"]) == (
            released,
            withheld,
            reason,
        ), child.index_number
        # The event matches the file: a withheld field's cell says so, a released one's carries a value.
        cells = dict(zip(FIELDS, rows[child.index_number], strict=True))
        assert all(cells[key].startswith("Withheld") for key in withheld)
        assert not any(cells[key].startswith("Withheld") for key in released)
    assert rows[shielded.index_number][2] == SHIELDED_WITHHELD
    assert events[kept.pk]["fields"] == list(FIELDS)  # what was approved, as every event of the export


def test_a_child_moved_to_another_la_since_the_request_is_audited_as_withheld(world):
    from children.models import Child

    kept = make_child(world)
    moved = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    export = _approved(world, make_user("leo", world.north, Role.LA_TEAM), [kept, moved], fields=FIELDS)
    Child.objects.filter(pk=moved.pk).update(local_authority=world.south)

    rows, events = _downloaded(world, export)

    assert rows[moved.index_number] == ["Withheld: no longer held by your local authority"] * 3
    assert events[moved.pk]["released_fields"] == []
    assert events[moved.pk]["withheld_reason"] == "other_la"
    assert events[kept.pk]["released_fields"] == list(FIELDS)


def test_the_download_event_holds_codes_and_ids_only(world):
    child = make_child(world, shielded=True)
    export = _approved(world, make_user("leo", world.north, Role.LA_TEAM), [child], fields=FIELDS)

    _, events = _downloaded(world, export)

    text = repr(events[child.pk])
    for value in ("Amelia", "Thornton", "Quarry", "LS1", "2015-03-04", "CO-2026-118"):
        assert value not in text
