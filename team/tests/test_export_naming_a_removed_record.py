"""A disclosure file naming a record that was removed (its key shredded, its rows waiting) is released.

A merge or purge that shreds a record's own key and then fails leaves the row until the next night's run
(or a person, if shielded): nothing of it can be read again (`children.merged_away.RecordRemoved`). The
download built the file by decrypting every child it named, and that record's key refused: a server
error, the release rolled back, and the requester could not have the file until the record was deleted.
Now that child's row is written as withheld, like a child archived or moved since the request, and the
rest of the file is released and audited.
"""

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from disclosure.models import DisclosureExport
from team.tests.test_disclosure_exports import _approved, _download, _rows
from tests.journeys import signed_in
from tests.personas import make_child, make_user
from tests.shredding import shred_rolled_back

REMOVED = "Withheld: record removed"


def _two_children(world):
    return make_child(world), make_child(
        world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW"
    )


def _leo(world):
    from accounts.models import Role

    return make_user("leo", world.north, Role.LA_TEAM)


def _released_rows(world, export: DisclosureExport) -> dict[str, list[str]]:
    response, passphrase = _download(signed_in(world.lena), export)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return {row[0]: row[1:] for row in _rows(response.content, passphrase)[1:]}


def test_a_record_removed_by_a_failed_merge_is_withheld_and_the_rest_of_the_file_released(world):
    kept, removed = _two_children(world)
    export = _approved(world, _leo(world), [kept, removed], fields=("name", "date_of_birth", "address"))
    shred_rolled_back(removed)

    rows = _released_rows(world, export)

    assert rows[kept.index_number] == ["Amelia Thornton", "2015-03-04", "12 Quarry Lane, Leeds, LS1 4AB"]
    assert rows[removed.index_number] == [REMOVED] * 3
    export.refresh_from_db()
    assert export.downloads == 1
    downloaded = AuditEvent.objects.filter(tag=AuditTag.DisclosureExportDownloaded)
    assert sorted(downloaded.values_list("child_id", flat=True)) == sorted([kept.pk, removed.pk])
    assert Child.objects.filter(pk=removed.pk).exists()  # still waiting for the nightly run


def test_a_shielded_record_removed_by_a_failed_merge_is_withheld_in_the_same_words(world):
    """A shielded leftover waits for a person, not the night: the file says it is removed, not shielded."""
    from lifecycle.shielding import shield_set

    kept, removed = _two_children(world)
    shield_set(child=Child.objects.get(pk=removed.pk), by=world.lena, shielded=True, reason="Refuge")
    export = _approved(world, _leo(world), [kept, removed], fields=("name", "services"))
    shred_rolled_back(removed)

    rows = _released_rows(world, export)

    assert rows[removed.index_number] == [REMOVED] * 2
    assert rows[kept.index_number][0] == "Amelia Thornton"
