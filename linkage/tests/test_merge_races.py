"""A merge racing a feed row or a reviewer's decision about one of its records (PostgreSQL: real writers).

Each test pauses one real writer (its own thread and connection) at the moment the race needs, for at
most PAUSE seconds: with the locks in place the other writer waits for it instead of slipping in, and the
test only takes that long.
"""

import threading
import time
from datetime import date
from typing import Any

from children.models import Child
from children.records import Address, ChildDetails, Gender
from children.services import child_create
from feeds import ingest as ingest_module
from feeds.models import FeedRow, RowOutcome
from feeds.review import ReviewClosed, ReviewDecision, review_decide
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_ingest import ingest
from linkage import linking
from linkage.merging import child_merge
from linkage.models import ClericalReview
from linkage.selectors import review_candidate_ids
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child

pytestmark = postgresql_race()

TODAY = date(2026, 12, 1)
PAUSE = 3.0


def _plain_child(world, *, given_names: str, family_name: str, postcode: str) -> Child:
    """A child without source identifiers (the personas all share one NHS number)."""
    details = ChildDetails(
        given_names=given_names,
        family_name=family_name,
        gender=Gender.FEMALE,
        date_of_birth=date(2015, 3, 4),
        address=Address(lines=["7 Elm Row", "Leeds"], postcode=postcode),
    )
    return child_create(local_authority=world.north, details=details)


def _merge_while_paused(monkeypatch, module: Any, name: str, *, feed, merge) -> list[Any]:
    """Run `feed` and `merge` together, `feed` paused just after `module.name` returns until the merge
    is done (or PAUSE has passed, when the merge waits for the feed's locks)."""
    paused, merged = threading.Event(), threading.Event()
    original = getattr(module, name)

    def then_pause(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        paused.set()
        merged.wait(timeout=PAUSE)
        return result

    monkeypatch.setattr(module, name, then_pause)

    def work(index: int) -> Any:
        if index == 0:
            return feed()
        assert paused.wait(timeout=30)
        try:
            return merge()
        finally:
            merged.set()

    return run_together(2, work)


def test_a_feed_row_read_before_a_shielded_record_is_merged_away_is_still_held_never_made_visible(
    world, monkeypatch
):
    """The 2009 failure by a race: the row found the shielded duplicate by its keys; the merge then
    deleted it (shielding the survivor) before the row looked at it, so nothing held the row and a
    visible copy of the shielded child was created at the refuge's postcode."""
    survivor = make_child(world, given_names="Amy")  # as her school knows her: no key of the row
    duplicate = make_child(
        world, given_names="Amelia", family_name="Okafor", postcode="LS6 2QT", shielded=True
    )
    row = feed_row(
        given_names="Amelia",
        family_name="Okafor",
        date_of_birth="2015-03-04",
        postcode="LS6 2QT",
        address_line="12 Quarry Lane",
        nhs_number=None,
    )
    source = health_source(world)
    before = set(Child.objects.values_list("pk", flat=True))
    outcomes = _merge_while_paused(
        monkeypatch,
        linking,
        "key_hits",
        feed=lambda: ingest(source, [row], "b1").status,
        merge=lambda: child_merge(survivor=survivor, duplicate=duplicate, by=world.lena) and "merged",
    )
    assert outcomes == ["completed", "merged"]
    assert [c for c in Child.objects.exclude(pk__in=before) if not c.shielded] == []
    (fed,) = FeedRow.objects.all()
    assert fed.outcome == RowOutcome.REVIEW and fed.review is not None and fed.review.shielded_hold


def test_a_feed_update_decided_before_its_child_is_merged_away_finishes_the_batch(world, monkeypatch):
    """The row was decided "update Amelia" as the LA team merged her into her other record: the ingest
    stopped with an unhandled error (a 500 to the API, the batch left unfinished)."""
    duplicate = make_child(world)
    survivor = _plain_child(world, given_names="Millie", family_name="Brookes", postcode="LS7 3QQ")
    row = feed_row(
        given_names="Amelia",
        family_name="Thornton",
        date_of_birth="2015-03-04",
        postcode="LS6 1AA",
        address_line="4 New Road",
        nhs_number="943 476 5919",
    )
    source = health_source(world)
    outcomes = _merge_while_paused(
        monkeypatch,
        ingest_module,
        "link_decide",
        feed=lambda: ingest(source, [row], "b1").status,
        merge=lambda: child_merge(survivor=survivor, duplicate=duplicate, by=world.lena) and "merged",
    )
    assert outcomes == ["completed", "merged"]
    (fed,) = FeedRow.objects.all()
    assert fed.outcome in (RowOutcome.UPDATED, RowOutcome.LINKED)


def test_a_reviewers_link_to_a_candidate_being_merged_away_is_answered_not_a_server_error(world):
    source = health_source(world)
    child = make_child(world)
    conflicting = feed_row(
        given_names="Amelia",
        family_name="Thornton",
        date_of_birth="2015-03-04",
        postcode="LS1 4AB",
        address_line="12 Quarry Lane",
        nhs_number="401 023 2137",  # another NHS number: sent to review with Amelia as the candidate
    )
    ingest(source, [conflicting], "b-review")
    review = ClericalReview.objects.get()
    assert str(child.pk) in review_candidate_ids(review)
    survivor = _plain_child(world, given_names="Millie", family_name="Brookes", postcode="LS7 3QQ")

    def work(index: int) -> str:
        if index == 0:
            child_merge(survivor=survivor, duplicate=child, by=world.lena)
            return "merged"
        time.sleep(0.01)  # the merge holds both records' rows
        try:
            review_decide(review=review, decision=ReviewDecision.LINK, by=world.lena, child_id=child.pk)
        except (ReviewClosed, ValueError):  # what the page answers with "the child moved or went"
            return "told"
        return "linked"

    outcomes = run_together(2, work)
    assert outcomes[0] == "merged" and outcomes[1] in ("told", "linked"), outcomes


def test_undoing_a_merge_while_its_survivor_is_merged_elsewhere_ends_in_one_answer_not_a_deadlock(world):
    """The merge locks the survivor's row and deletes it (taking this merge row with it); the unmerge
    locked this merge row and then the survivor: opposite orders, a deadlock or a vanished row (a 500).
    Both now take the records' key locks first, and the unmerge answers when its merge has gone."""
    from linkage.merging import MergeRefused, child_unmerge
    from linkage.models import ChildMerge

    survivor = make_child(world)
    duplicate = make_child(world, family_name="Thorntone", given_names="Amelia-Rose", postcode="LS6 1AA")
    other = make_child(world, given_names="Amelie", postcode="LS6 1AB")
    first = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    loaded = ChildMerge.objects.select_related("survivor").get(pk=first.pk)  # as the merge page loads it
    survivor = Child.objects.select_related("data_key").get(pk=survivor.pk)

    def work(index: int) -> str:
        try:
            if index == 0:
                time.sleep(0.02)  # the merge takes its locks first: the interleaving that deadlocked
                child_unmerge(merge=loaded, by=world.lena)
                return "unmerged"
            child_merge(survivor=other, duplicate=survivor, by=world.lena)
            return "merged"
        except MergeRefused:
            return "refused"

    outcomes = run_together(2, work)
    assert outcomes in (["refused", "merged"], ["unmerged", "merged"]), outcomes
