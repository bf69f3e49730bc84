"""Archive openings, merge comparisons and review looks made at the same moment (several tabs or sessions)
are each counted against the others, as record views are (PostgreSQL): they go through the same
screening, which takes the person's own row lock after the look's events are written and before the
counts. A look holds no child row, so it adds no lock order: a merge by the same person at the same time
(its account, then the children's rows) neither deadlocks with it nor escapes the count."""

from uuid import UUID

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.services import ActorCannotAct
from children.models import Child
from feeds.tests.factories import feed_row, health_rows_ingest
from lifecycle.services import child_archive
from lifecycle.viewing import archived_record_open
from linkage.merging import child_merge, merge_compare_audit
from linkage.models import ChildMerge, ClericalReview
from linkage.selectors import review_candidate_ids
from linkage.services import review_view_audit
from oversight.models import Alert, AlertKind
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child

pytestmark = postgresql_race()

NAMES = [
    "Thornton", "Begum", "Okafor", "Nowak", "Patel", "Hughes", "Murray", "Quinn",
    "Adams", "Baker", "Clarke", "Davies", "Evans", "Foster", "Green", "Hall",
]  # fmt: skip
REFUSED = "refused"
GIVEN_NAMES = ["Amelia", "Bethany", "Chloe", "Daisy", "Evie", "Freya", "Grace"]


@pytest.fixture(autouse=True)
def _four_an_hour(settings):
    settings.MISUSE_VIEWS_PER_HOUR = 4
    settings.MISUSE_SUSPEND_FACTOR = 2  # suspend above 8
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 1000
    settings.MISUSE_VIEWS_OUTSIDE_LA_PER_HOUR = 1000


def _outcome(user: User) -> tuple[bool, int, int]:
    """(suspended?, bulk-viewing alerts, automatic-suspension alerts) about the user."""
    user.refresh_from_db()
    alerts = Alert.objects.filter(raised_by=user)
    return (
        user.suspended_at is not None,
        alerts.filter(kind=AlertKind.BULK_VIEWING).count(),
        alerts.filter(kind=AlertKind.ACCOUNT_AUTO_SUSPENDED).count(),
    )


def _fresh(child: Child) -> Child:
    return Child.objects.select_related("data_key", "local_authority").get(pk=child.pk)


@pytest.mark.parametrize("attempt", range(3))
def test_simultaneous_archive_openings_and_review_looks_past_the_hard_threshold_suspend_and_alert_once(
    world, attempt
):
    # Nine archived records opened: past the hard threshold by the person's own choices alone (review
    # looks, the queue's choice, alert but never suspend: `oversight.misuse.QUEUE_LOOK_TAGS`).
    archived = [make_child(world, family_name=name) for name in NAMES[:9]]
    for child in archived:
        assert child_archive(child_id=child.pk, rule="age", today=timezone.localdate())
    archived = [_fresh(child) for child in archived]
    for given in GIVEN_NAMES:
        make_child(world, given_names=given, family_name="Ashworth")
    rows = [
        feed_row(
            record_id=f"H-{given}",
            given_names=given,
            family_name="Ashworth",
            date_of_birth="2015-03-14",
            postcode="LS9 9ZZ",
            nhs_number=None,
        )
        for given in GIVEN_NAMES
    ]
    health_rows_ingest(world, rows)
    reviews = list(ClericalReview.objects.order_by("created_at", "pk"))
    assert len(reviews) >= 6  # the matching engine's choice: each review shows a child of its own

    def look(i: int) -> None:
        if i < 9:
            archived_record_open(child=archived[i], by=world.dara, purpose="data_quality")
        else:
            review = reviews[i - 9]
            shown = [UUID(child_id) for child_id in sorted(review_candidate_ids(review))]
            review_view_audit(review=review, child_ids=shown, by=world.dara)

    run_together(9 + len(reviews), look)  # fifteen or more distinct children at once

    assert _outcome(world.dara) == (True, 1, 1)


@pytest.mark.parametrize("attempt", range(3))
def test_simultaneous_comparisons_and_a_merge_by_one_person_are_all_counted_without_deadlock(world, attempt):
    children = [_fresh(make_child(world, family_name=name)) for name in NAMES]
    pairs = [(children[2 * n], children[2 * n + 1]) for n in range(8)]

    def work(i: int) -> object:
        if i == 0:  # a merge of the first pair: the account's lock, then both children's rows
            try:
                return child_merge(
                    survivor=pairs[0][0], duplicate=pairs[0][1], by=world.lena, reason="Same child"
                )
            except ActorCannotAct:  # the comparisons suspended her first: a suspended person merges nothing
                return REFUSED
        survivor, duplicate = pairs[i]
        merge_compare_audit(survivor=survivor, duplicate=duplicate, by=world.lena)
        return None

    merged = run_together(8, work)[0]  # a deadlock would have failed a thread here

    assert ChildMerge.objects.count() == (0 if merged == REFUSED else 1)
    # Seven comparisons of fourteen distinct children: past the hard threshold, one alert, one suspension.
    assert _outcome(world.lena) == (True, 1, 1)
