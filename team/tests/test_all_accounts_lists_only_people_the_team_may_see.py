"""The LA team's "All accounts" list names its practitioners, its colleagues, its data manager and its
feed sources, never a national auditor or system administrator attached to the LA.

Before, it listed everyone whose organisation was in the LA: a national auditor attached to the LA (the
person who reviews the team) and a system administrator were named there with their status ("Suspended"),
though the team may neither open nor act on those accounts (`access.policy`, "nationally_managed"), and
docs/DECISIONS.md section 25 keeps their activity from the team too. Colleagues and the data manager stay
listed (section 24 leaves showing them to the lead; the team reads their activity, section 25).
"""

from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from feeds.sources import feed_source_create
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user


def _all_accounts(page: str) -> str:
    start = page.index('id="accounts"')
    return page[start : page.index("</table>", start)]


def test_a_national_auditor_or_administrator_attached_to_the_la_is_not_listed(world):
    make_user("audrey", world.north, Role.NATIONAL_AUDITOR, suspended_at=timezone.now())
    make_user("simon", world.north_social_care, Role.SYSTEM_ADMIN)
    page = rendered(
        signed_in(world.lena).get(reverse("team:users")), heading="Accounts in your local authority"
    )
    listed = _all_accounts(page)
    assert "Audrey Example" not in page
    assert "Simon Example" not in page
    assert "National auditor" not in listed
    assert "System administrator" not in listed
    assert "Suspended" in listed  # Sam, a practitioner, is still shown suspended


def test_practitioners_colleagues_the_data_manager_and_feed_sources_are_still_listed(world):
    make_user("lara", world.north, Role.LA_TEAM)
    make_user("otto", world.north_social_care, Role.OVERRIDE_HOLDER)
    feed_source_create(
        code="north-local",
        organisation=world.north,
        fields=["given_names", "family_name", "date_of_birth"],
        local_authorities=[world.north],
    )
    listed = _all_accounts(signed_in(world.lena).get(reverse("team:users")).content.decode())
    for shown in (
        "Alice Example",
        "Sam Example",
        "Tom Example",
        "Otto Example",
        "Lara Example",
        "Dara Example",
    ):
        assert shown in listed
    assert "Lena Example" in listed  # the team member's own account, as before
    assert "feed-north-local" in listed
    for role in ("Practitioner", "Practitioner with shield override", "LA management team", "Data manager"):
        assert role in listed
    assert "Bob Example" not in listed  # another LA's
