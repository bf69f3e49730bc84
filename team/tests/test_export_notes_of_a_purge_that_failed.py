"""An export whose notes' key a failed purge shredded: its page and the list still show, and it downloads.

Purging a child shreds the notes of every export naming it (`disclosure.retention`: the export's own key
revoked at the key provider first, then the columns blanked) as the child's row is deleted. A purge
failing after that (its tombstone not written, the connection lost at its commit) rolls the blanking back
but not the provider's refusal: the export's reference no longer opened, and the export's page and the
LA team's whole export list were server errors until the next night's purge, so the requester could not
reach the download. Now the notes read as destroyed and the pages work.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.tags import AuditTag
from children.models import Child
from team.tests.test_disclosure_exports import _approved, _download, _rows
from tests.journeys import signed_in
from tests.personas import make_child, make_user


class _ConnectionLost(Exception):
    """The failure after the purge deleted the row (its tombstone, or its commit)."""


def _purge_failed_after_its_delete(monkeypatch, child: Child) -> None:
    import lifecycle.services
    from lifecycle.services import child_purge

    real = lifecycle.services.event_record

    def tombstone_failing(**kwargs):
        if kwargs.get("tag") == AuditTag.ChildPurged:
            raise _ConnectionLost
        return real(**kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(lifecycle.services, "event_record", tombstone_failing)
        with pytest.raises(_ConnectionLost):
            child_purge(child_id=child.pk)
    assert Child.objects.filter(pk=child.pk).exists()


def test_an_export_whose_notes_a_failed_purge_shredded_still_shows_and_downloads(world, monkeypatch):
    from lifecycle.services import child_archive

    kept = make_child(world)
    purged = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    export = _approved(world, make_user("leo", world.north, Role.LA_TEAM), [kept, purged])
    child_archive(child_id=purged.pk, rule="age", today=timezone.localdate())
    _purge_failed_after_its_delete(monkeypatch, purged)
    client = signed_in(world.lena)

    page = client.get(reverse("team:export", args=[export.pk]))
    listing = client.get(reverse("team:exports"))

    assert page.status_code == 200 and listing.status_code == 200
    shown = page.content.decode()
    assert "Reference destroyed" in shown and 'id="export-notes-destroyed"' in shown
    assert "were destroyed when a child this export named was purged" in shown
    assert "Destroyed: a child it named was purged" in listing.content.decode()
    response, passphrase = _download(client, export)
    assert response.status_code == 200
    rows = {row[0]: row[1:] for row in _rows(response.content, passphrase)[1:]}
    assert rows[kept.index_number] == ["Amelia Thornton", "2015-03-04"]
    assert rows[purged.index_number] == ["Withheld: record archived since the request"] * 2
