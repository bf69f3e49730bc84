"""The data manager's data-quality counts read while the LA team merges a record away (PostgreSQL: two
real sessions).

The counts read every active record of the LA, then open each one's key to read its address and date of
death. A merge committing in between (the duplicate deleted, its key revoked in the key provider and
shredded) made the first open of the duplicate's key fail (`KeyRevoked`): the data manager's page was a
server error whenever the LA team merged a duplicate at the same moment. A record shredded since it was
read is no longer held: it is left out of the counts, as it would be a moment later.
"""

from django.urls import reverse

import children.selectors
from children.models import Child
from linkage.merging import child_merge
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child

pytestmark = postgresql_race("PostgreSQL only: two real sessions")


def test_the_data_quality_page_read_as_a_merge_shreds_a_records_key_counts_what_is_left(
    world, child, monkeypatch
):
    survivor = make_child(world, given_names="Zara", family_name="Whitcombe")
    client = signed_in(world.dara)
    page, _merge = paused_for(
        monkeypatch,
        children.selectors,
        "Sealer",  # the page has read the rows; the merge commits before the first key is opened
        before=True,
        read=lambda: client.get(reverse("data_quality")),
        write=lambda: child_merge(survivor=survivor, duplicate=Child.objects.get(pk=child.pk), by=world.lena),
    )

    text = rendered(page, heading="Records needing correction")
    assert '<dd class="govuk-summary-list__value" id="count-active">1</dd>' in text
    assert not Child.objects.filter(pk=child.pk).exists()
