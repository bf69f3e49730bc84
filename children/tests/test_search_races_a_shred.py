"""A search reading a record while the LA team merges it away (PostgreSQL: two real sessions).

The search's one statement read the candidate's row and its wrapped data key; the merge then revoked
that key in the key provider and committed (the duplicate deleted, its key shredded) before the search
decrypted the candidate. The decrypt failed (`KeyRevoked`) and the practitioner's search was a server
error. A record whose key has been shredded is a record no longer there: the search carries on without
it, audited as returning nothing about it, and the results page never names it.
"""

import threading

from django.urls import reverse

import children.search
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from linkage.merging import child_merge
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import make_child

pytestmark = postgresql_race("PostgreSQL only: two real sessions")

SEARCH = {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}


def test_a_search_reading_a_record_as_a_merge_shreds_its_key_leaves_it_out_instead_of_a_server_error(
    world, child, monkeypatch
):
    survivor = make_child(world, given_names="Zara", family_name="Whitcombe")
    client = signed_in(world.alice)
    read, merged = threading.Event(), threading.Event()
    real_rows = children.search.rows_as_candidates
    searching = []

    def rows_then_the_merge(*args, **kwargs):  # the search has read the rows; the merge commits
        made = real_rows(*args, **kwargs)
        if threading.current_thread() in searching:
            read.set()
            assert merged.wait(timeout=30)
        return made

    monkeypatch.setattr(children.search, "rows_as_candidates", rows_then_the_merge)

    def work(index: int) -> object:
        if index == 0:
            searching.append(threading.current_thread())
            return client.post(reverse("children:search"), SEARCH)
        assert read.wait(timeout=30)
        try:
            return child_merge(survivor=survivor, duplicate=Child.objects.get(pk=child.pk), by=world.lena)
        finally:
            merged.set()

    page, _merge = run_together(2, work)

    assert page.status_code == 303
    results = client.get(page["Location"])
    assert results.status_code == 200
    text = results.content.decode()
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
    read, merged = threading.Event(), threading.Event()
    real_sealer = children.search_results.Sealer
    showing = []

    def sealer_after_the_merge(*args, **kwargs):  # the page has read the rows; the merge commits
        if threading.current_thread() in showing and not read.is_set():
            read.set()
            assert merged.wait(timeout=30)
        return real_sealer(*args, **kwargs)

    monkeypatch.setattr(children.search_results, "Sealer", sealer_after_the_merge)
    first = sorted([child, other], key=lambda c: c.index_number)[0]
    duplicate = child if first.pk == child.pk else other
    kept = other if duplicate.pk == child.pk else child

    def work(index: int) -> object:
        if index == 0:
            showing.append(threading.current_thread())
            return client.get(searched["Location"])
        assert read.wait(timeout=30)
        try:
            return child_merge(survivor=survivor, duplicate=Child.objects.get(pk=duplicate.pk), by=world.lena)
        finally:
            merged.set()

    page, _merge = run_together(2, work)

    assert page.status_code == 200
    text = page.content.decode()
    kept_name = "Amelia" if kept.pk == child.pk else "Beatrice"
    gone_name = "Beatrice" if kept_name == "Amelia" else "Amelia"
    assert kept_name in text
    assert gone_name not in text and "Zara" not in text
