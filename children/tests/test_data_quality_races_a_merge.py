"""The data manager's data-quality counts read while the LA team merges a record away (PostgreSQL: two
real sessions).

The counts read every active record of the LA, then open each one's key to read its address and date of
death. A merge committing in between (the duplicate deleted, its key revoked in the key provider and
shredded) made the first open of the duplicate's key fail (`KeyRevoked`): the data manager's page was a
server error whenever the LA team merged a duplicate at the same moment. A record shredded since it was
read is no longer held: it is left out of the counts, as it would be a moment later.
"""

import threading

from django.urls import reverse

import children.selectors
from children.models import Child
from linkage.merging import child_merge
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child

pytestmark = postgresql_race("PostgreSQL only: two real sessions")


def test_the_data_quality_page_read_as_a_merge_shreds_a_records_key_counts_what_is_left(
    world, child, monkeypatch
):
    survivor = make_child(world, given_names="Zara", family_name="Whitcombe")
    client = signed_in(world.dara)
    read, merged = threading.Event(), threading.Event()
    real_sealer = children.selectors.Sealer
    counting = []

    def sealer_after_the_merge(*args, **kwargs):  # the page has read the rows; the merge commits
        if threading.current_thread() in counting and not read.is_set():
            read.set()
            assert merged.wait(timeout=30)
        return real_sealer(*args, **kwargs)

    monkeypatch.setattr(children.selectors, "Sealer", sealer_after_the_merge)

    def work(index: int) -> object:
        if index == 0:
            counting.append(threading.current_thread())
            return client.get(reverse("data_quality"))
        assert read.wait(timeout=30)
        try:
            return child_merge(survivor=survivor, duplicate=Child.objects.get(pk=child.pk), by=world.lena)
        finally:
            merged.set()

    page, _merge = run_together(2, work)

    text = rendered(page, heading="Records needing correction")
    assert '<dd class="govuk-summary-list__value" id="count-active">1</dd>' in text
    assert not Child.objects.filter(pk=child.pk).exists()
