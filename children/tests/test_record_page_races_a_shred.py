"""The record and purpose pages reading a record while the LA team merges it away (PostgreSQL: two real
sessions).

The page loaded the child's row and its wrapped data key; the merge then revoked that key and committed
(the record deleted, its key shredded) before the page decrypted it: `KeyRevoked`, a server error. A
record merged away is a record no longer there: the page answers "not found", as it would a moment later.
"""

from django.urls import reverse

import children.views
from accounts.models import Role
from children.models import Child
from linkage.merging import child_merge
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in, state_purpose
from tests.personas import make_child, make_user

pytestmark = postgresql_race("PostgreSQL only: two real sessions")


def _page_read_as_a_merge_commits(
    world, child, monkeypatch, *, url: str, stated: bool, reader=None
) -> object:
    survivor = make_child(world, given_names="Zara", family_name="Whitcombe")
    client = signed_in(reader or world.alice)
    if stated:
        state_purpose(client, child)
    client.raise_request_exception = False
    page, _merge = paused_for(
        monkeypatch,
        children.views,
        "_permitted_child",  # the page has its row and key; the merge commits
        read=lambda: client.get(url),
        write=lambda: child_merge(survivor=survivor, duplicate=Child.objects.get(pk=child.pk), by=world.lena),
    )
    assert not Child.objects.filter(pk=child.pk).exists()
    return page


def test_the_record_page_read_as_a_merge_shreds_its_key_is_not_found_not_a_server_error(
    world, child, monkeypatch
):
    page = _page_read_as_a_merge_commits(
        world, child, monkeypatch, url=reverse("children:record", args=[child.pk]), stated=True
    )
    assert page.status_code == 404
    assert "Amelia" not in page.content.decode()


def test_the_purpose_page_read_as_a_merge_shreds_its_key_is_not_found_not_a_server_error(
    world, child, monkeypatch
):
    """Read by a colleague in the child's LA team, to whom the purpose page names the child."""
    leah = make_user("leah", world.north, Role.LA_TEAM)
    page = _page_read_as_a_merge_commits(
        world, child, monkeypatch, url=reverse("children:purpose", args=[child.pk]), stated=False, reader=leah
    )
    assert page.status_code == 404
    assert "Amelia" not in page.content.decode()
