"""The complaint page and a page of the record read while a merge has shredded the record's key but not
yet committed (PostgreSQL: two real sessions).

The shred tells the key provider first (fail closed), inside the merge's transaction: from that moment the
key refuses to open (`KeyRevoked`), while the duplicate's row, deleted by the uncommitted merge, is still
there to every other session. The page took "key refused, row still there" for a broken key and raised it:
a server error, though a moment later the complaint had only moved to the survivor and the record was
simply not there. The pages now wait for the row's writer before judging
(`children.merged_away.child_row_still_there`): the complaint is read again where it is, the record's
page is not found.
"""

import threading
import time
from typing import Any

from django.urls import reverse

from children.models import Child
from corrections.models import Complaint
from corrections.tests.support import complaint_from_the_child
from linkage import merging
from linkage.merging import child_merge
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in, state_purpose
from tests.personas import World, make_child

pytestmark = postgresql_race("PostgreSQL only: the merge is uncommitted on another session")

HELD_FOR = 1.5  # seconds the merge stays uncommitted after its shred: the page is read in that time


def _read_while_the_merge_commits(monkeypatch, world: World, child: Child, read: Any) -> tuple[Child, Any]:
    """`read()` run once the merge has shredded the duplicate's key, the merge holding its transaction
    open for `HELD_FOR` seconds after; returns the survivor and what `read` returned."""
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    shredded = threading.Event()
    real_shred = merging.data_key_shred

    def shred_then_hold(key: Any) -> int:
        done = real_shred(key)
        shredded.set()
        time.sleep(HELD_FOR)  # still in the merge's transaction: the key is revoked, the row not yet gone
        return done

    monkeypatch.setattr(merging, "data_key_shred", shred_then_hold)

    def work(index: int) -> Any:
        if index == 0:
            return child_merge(
                survivor=Child.objects.get(pk=survivor.pk),
                duplicate=Child.objects.get(pk=child.pk),
                by=world.lena,
            )
        assert shredded.wait(timeout=30)
        return read()

    _, response = run_together(2, work)
    monkeypatch.undo()
    assert not Child.objects.filter(pk=child.pk).exists()
    return survivor, response


def test_the_complaint_page_read_between_the_shred_and_the_merges_commit_is_read_again(
    world, child, monkeypatch
):
    complaint = complaint_from_the_child(world, child)
    client = signed_in(world.lena)
    client.raise_request_exception = False
    url = reverse("corrections:complaint", args=[complaint.pk])
    survivor, response = _read_while_the_merge_commits(monkeypatch, world, child, lambda: client.get(url))
    assert response.status_code == 302, response.status_code
    assert response["Location"] == url
    assert Complaint.objects.get(pk=complaint.pk).child_id == survivor.pk
    page = client.get(url).content.decode()
    assert "Says the school on the record is wrong" in page  # the summary, opened under its new key


def test_a_page_of_the_record_read_between_the_shred_and_the_merges_commit_is_not_found(
    world, child, monkeypatch
):
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="checking_details")
    client.raise_request_exception = False
    url = reverse("corrections:choose", args=[child.pk])
    _, response = _read_while_the_merge_commits(monkeypatch, world, child, lambda: client.get(url))
    assert response.status_code == 404, response.status_code
    assert "Amelia" not in response.content.decode()
