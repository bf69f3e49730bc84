"""The review page read as one of its records is merged away at that moment answers, never a server error
(PostgreSQL, two real sessions).

The page lists the records it shows (`review_candidates_shown`), then opens each one's key. A merge
committing in between deletes the duplicate and revokes its key at the provider: the page opened a key
that no longer opens (`KeyRevoked`), a 500 for the reviewer. A record whose key does not open has gone
(merged away or purged): it is left off, as a moment later; "new child" from that page is then refused
(the record carrying it on was not shown: `feeds.review.SHOWN_CHANGED_WORDS`).
"""

from django.urls import reverse

import linkage.selectors
from children.models import Child
from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.merging import child_merge
from linkage.models import ClericalReview, ReviewStatus
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.personas import build_world, make_child
from tests.review_pages import SHOWN

pytestmark = postgresql_race()


def test_the_review_page_read_as_its_candidate_is_merged_away_shows_the_rest_and_refuses_new_child(
    monkeypatch,
):
    world = build_world()
    child = make_child(world)
    row = feed_row(
        given_names="Amelia",
        family_name="Thornton",
        date_of_birth="2015-03-14",
        postcode="LS9 9ZZ",
        nhs_number=None,
    )
    health_rows_ingest(world, [row])
    review = ClericalReview.objects.get()
    carrier = make_child(world, given_names="Amy", family_name="Morgan", postcode="LS2 9JT")
    client = signed_in(world.lena)
    url = reverse("linkage:review", args=[review.pk])

    page, merged = paused_for(
        monkeypatch,
        linkage.selectors,
        "child_details",
        before=True,
        read=lambda: client.get(url),
        write=lambda: child_merge(
            survivor=Child.objects.get(pk=carrier.pk), duplicate=Child.objects.get(pk=child.pk), by=world.lena
        ),
    )

    assert merged
    assert page.status_code == 200
    assert f'name="shown" value="{child.pk}"' not in page.content.decode()  # gone as the page read it
    shown = SHOWN.findall(page.content.decode())
    refused = client.post(
        url, {"decision": "new_child", "shown": shown}
    )  # from that page: the carrier unseen
    assert refused.status_code == 400 and "have changed since you opened" in refused.content.decode()
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN
