"""A search reading a record while the LA team merges it away (PostgreSQL: two real sessions).

The search's one statement read the candidate's row and its wrapped data key; the merge then revoked
that key in the key provider and committed (the duplicate deleted, its key shredded) before the search
decrypted the candidate. The decrypt failed (`KeyRevoked`) and the practitioner's search was a server
error. A record whose key has been shredded is a record no longer there: the search carries on without
it, audited as returning nothing about it, and the results page never names it.
"""

from django.urls import reverse

import children.search
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from linkage.merging import child_merge
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.pages import without_tokens
from tests.personas import make_child

pytestmark = postgresql_race("PostgreSQL only: two real sessions")

SEARCH = {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}


def test_a_search_reading_a_record_as_a_merge_shreds_its_key_leaves_it_out_instead_of_a_server_error(
    world, child, monkeypatch
):
    survivor = make_child(world, given_names="Zara", family_name="Whitcombe")
    client = signed_in(world.alice)
    page, _merge = paused_for(
        monkeypatch,
        children.search,
        "rows_as_candidates",  # the search has read the rows; the merge commits
        read=lambda: client.post(reverse("children:search"), SEARCH),
        write=lambda: child_merge(survivor=survivor, duplicate=Child.objects.get(pk=child.pk), by=world.lena),
    )

    assert page.status_code == 303
    results = client.get(page["Location"])
    assert results.status_code == 200
    text = without_tokens(results.content.decode())
    assert "Amelia" not in text and "Zara" not in text
    event = AuditEvent.objects.get(tag=AuditTag.SearchPerformed)
    assert event.additional["result_ids"] == []
    assert not Child.objects.filter(pk=child.pk).exists()


def test_results_shown_again_as_a_merge_shreds_a_records_key_leave_it_out_instead_of_a_server_error(
    world, child, monkeypatch
):
    survivor = make_child(world, given_names="Zara", family_name="Whitcombe")
    other = make_child(world, given_names="Beatrice")  # a second result, still there
    client = signed_in(world.alice)
    searched = client.post(reverse("children:search"), SEARCH)
    assert searched.status_code == 303
    first = sorted([child, other], key=lambda c: c.index_number)[0]
    duplicate = child if first.pk == child.pk else other
    kept = other if duplicate.pk == child.pk else child

    page, _merge = paused_for(
        monkeypatch,
        children.search_results,
        "Sealer",  # the page has read the rows; the merge commits before the first key is opened
        before=True,
        read=lambda: client.get(searched["Location"]),
        write=lambda: child_merge(
            survivor=survivor, duplicate=Child.objects.get(pk=duplicate.pk), by=world.lena
        ),
    )

    assert page.status_code == 200
    text = without_tokens(page.content.decode())
    kept_name = "Amelia" if kept.pk == child.pk else "Beatrice"
    gone_name = "Beatrice" if kept_name == "Amelia" else "Amelia"
    assert kept_name in text
    assert gone_name not in text and "Zara" not in text
