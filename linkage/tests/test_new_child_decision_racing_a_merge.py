"""A "new child" decided on a review as the LA team merges a shielded record the row resembles
(PostgreSQL: two real writers).

The decision judges the row on the index as it is now (`linkage.linking.creation_hold`), so it must read
it as a feed row does: under the row's own key locks, which a merge takes first
(`children.key_locks.children_keys_lock`). Otherwise the decision can find the shielded duplicate by its keys,
the merge then delete it and shield the survivor, and the decision, finding nothing, create a visible
copy of the shielded child (the race session 17 closed for feed rows).
"""

import threading
from datetime import date
from typing import Any

from children.models import Child
from children.records import Address, ChildDetails, Gender
from children.services import child_create
from feeds import review as review_module
from feeds.review import ReviewDecision, review_decide
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_ingest import ingest
from linkage.merging import child_merge
from linkage.models import ClericalReview, ReviewReason
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child

pytestmark = postgresql_race()

PAUSE = 3.0


def _plain_child(world, *, given_names: str, family_name: str, postcode: str, shielded: bool) -> Child:
    """A child without source identifiers, so it shares no NHS number key with the review's candidate."""
    details = ChildDetails(
        given_names=given_names,
        family_name=family_name,
        gender=Gender.FEMALE,
        date_of_birth=date(2015, 3, 4),
        address=Address(lines=["7 Elm Row", "Leeds"], postcode=postcode),
    )
    return child_create(local_authority=world.north, details=details, shielded=shielded)


def test_a_new_child_decided_as_a_shielded_record_it_resembles_is_merged_away_is_created_shielded(
    world, monkeypatch
):
    # The review: the row shares only its NHS number with Zara Quinn (a keying slip somewhere).
    make_child(
        world, given_names="Zara", family_name="Quinn", date_of_birth=date(2012, 6, 1), postcode="LS7 3QQ"
    )
    row = feed_row(given_names="Amelia", family_name="Okafor", date_of_birth="2015-03-04", postcode="LS6 2QT")
    ingest(health_source(world), [row], "b1")
    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.POSSIBLE_MATCH and not review.shielded_hold
    # Since then: Amelia Okafor's record, shielded (no key shared with Zara's), and her school's record
    # of "Amy", which shares no key with the row.
    duplicate = _plain_child(
        world, given_names="Amelia", family_name="Okafor", postcode="LS6 2QT", shielded=True
    )
    survivor = _plain_child(
        world, given_names="Amy", family_name="Thornton", postcode="LS1 4AB", shielded=False
    )
    before = set(Child.objects.values_list("pk", flat=True))

    paused, merged = threading.Event(), threading.Event()
    original = review_module.key_hits

    def then_pause(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        paused.set()
        merged.wait(timeout=PAUSE)
        return result

    monkeypatch.setattr(review_module, "key_hits", then_pause)

    def work(index: int) -> Any:
        if index == 0:
            return (
                review_decide(review=review, decision=ReviewDecision.NEW_CHILD, by=world.lena) and "decided"
            )
        assert paused.wait(timeout=30)
        try:
            return child_merge(survivor=survivor, duplicate=duplicate, by=world.lena) and "merged"
        finally:
            merged.set()

    assert run_together(2, work) == ["decided", "merged"]
    (created,) = Child.objects.exclude(pk__in=before)
    assert created.shielded, "a visible copy of the shielded child"
