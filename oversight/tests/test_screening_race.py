"""Views and searches made at the same moment (several sessions or tabs) are each counted against the
others (PostgreSQL). Before the screening locked the user's row, a burst of 16 simultaneous views past a
hard threshold of 8 left users unsuspended and raised 4 to 11 bulk-viewing alerts instead of one."""

import pytest

from accounts.models import User
from children.models import Child
from children.search import SearchCriteria, child_search
from children.viewing import PurposeGrant, record_view_audit
from oversight.models import Alert, AlertKind
from tests.concurrency import postgresql_race, run_together
from tests.personas import make_child, make_user

pytestmark = postgresql_race()

GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)
BURST = 16
NAMES = [
    "Thornton", "Begum", "Okafor", "Nowak", "Patel", "Hughes", "Murray", "Quinn",
    "Adams", "Baker", "Clarke", "Davies", "Evans", "Foster", "Green", "Hall",
]  # fmt: skip


def _outcome(user: User, kind: AlertKind) -> tuple[bool, int]:
    """(suspended?, alerts of this kind raised about the user)."""
    user.refresh_from_db()
    return user.suspended_at is not None, Alert.objects.filter(raised_by=user, kind=kind).count()


@pytest.mark.parametrize("attempt", range(4))
def test_a_burst_of_simultaneous_views_past_the_hard_threshold_suspends_and_alerts_once(
    world, settings, attempt
):
    settings.MISUSE_VIEWS_PER_HOUR = 4
    settings.MISUSE_SUSPEND_FACTOR = 2  # suspend above 8
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 1000
    children = [
        Child.objects.select_related("data_key", "local_authority").get(
            pk=make_child(world, family_name=n).pk
        )
        for n in NAMES
    ]
    user = make_user(f"burst{attempt}", world.north_social_care)

    run_together(
        BURST, lambda i: record_view_audit(child=children[i], by=user, grant=GRANT, restricted=False)
    )

    assert _outcome(user, AlertKind.BULK_VIEWING) == (True, 1)
    assert Alert.objects.filter(raised_by=user, kind=AlertKind.ACCOUNT_AUTO_SUSPENDED).count() == 1


@pytest.mark.parametrize("attempt", range(4))
def test_a_burst_of_simultaneous_searches_past_the_hard_threshold_suspends_and_alerts_once(
    world, settings, attempt
):
    settings.MISUSE_SEARCHES_PER_HOUR = 4
    settings.MISUSE_SUSPEND_FACTOR = 2  # suspend above 8
    settings.MISUSE_CHILDREN_FOUND_PER_HOUR = 1000
    settings.MISUSE_REFINED_SEARCHES_PER_HOUR = 1000
    user = make_user(f"searcher{attempt}", world.north_social_care)
    criteria = [SearchCriteria(family_name=name, postcode="LS1 4AB") for name in NAMES]

    run_together(BURST, lambda i: child_search(criteria=criteria[i], fetched_by=user))

    assert _outcome(user, AlertKind.BULK_SEARCHING) == (True, 1)
    assert Alert.objects.filter(raised_by=user, kind=AlertKind.ACCOUNT_AUTO_SUSPENDED).count() == 1
