"""A record opened (or a shielded record opened in an emergency) is counted under the LA that held the child
when it was opened, not under the LA that holds it today (a review's finding, session 35): otherwise a
shielded child's move re-files its earlier break-glass openings under the new LA, on both LAs' pages, and the
access table's emergency row disagrees with the alerts table's (each alert went to the LA of the time).

Written through the real writers, which record the child's LA on the event; events written before they did
(no LA recorded) are still counted under the child's LA today."""

from django.urls import reverse

from accounts.models import Role
from children.models import Child
from children.override import shield_override
from children.viewing import PurposeGrant, record_view_audit
from coordination.statistics import SUPPRESSED, WITHHELD
from insight.tests.support import during, month_ago, row_figures, table_html
from tests.journeys import signed_in
from tests.personas import make_user

OPENED = "Your children&#x27;s records opened"  # as the page escapes it
OVERRIDES = "Your shielded records opened in an emergency"
SHOWN_TEN = ("10", WITHHELD)  # 12, rounded to 5, or withheld by interval protection: never small or 0


def _opened_twelve_times_last_month_then_moved(world, shielded_child) -> None:
    with during(month_ago(1)):
        for n in range(12):  # one each, so no viewing rule suspends anyone part way
            viewer = make_user(f"viewer{n}", world.north_social_care)
            record_view_audit(
                child=shielded_child,
                by=viewer,
                grant=PurposeGrant(purpose="safeguarding", detail_sealed=None),
                restricted=True,
            )
            holder = make_user(f"holder{n}", world.south_police, Role.OVERRIDE_HOLDER)
            shield_override(child=shielded_child, by=holder, reason="Emergency: child missing overnight")
    Child.objects.filter(pk=shielded_child.pk).update(local_authority=world.south)


def _access_month(client, label: str) -> str:
    page = client.get(reverse("insight:local"), {"months": "3"}).content.decode()
    return row_figures(table_html(page, "mi-4"), label)[-2]  # last month: the last one before the total


def test_openings_stay_with_the_la_that_held_the_child_after_it_moves(world, shielded_child):
    _opened_twelve_times_last_month_then_moved(world, shielded_child)
    north = signed_in(world.lena)
    assert _access_month(north, OPENED) in SHOWN_TEN
    assert _access_month(north, OVERRIDES) in SHOWN_TEN
    south = signed_in(make_user("sian", world.south, Role.LA_TEAM))
    assert _access_month(south, OPENED) in ("0", SUPPRESSED)
    assert _access_month(south, OVERRIDES) in ("0", SUPPRESSED)


def test_the_national_page_counts_break_glass_under_the_la_of_the_time(world, shielded_child):
    _opened_twelve_times_last_month_then_moved(world, shielded_child)
    page = signed_in(world.nadia).get(reverse("insight:national"), {"months": "3"}).content.decode()
    overrides = table_html(page, "mi-1")
    assert row_figures(overrides, "Northshire Council")[-2] in SHOWN_TEN  # last month
    assert row_figures(overrides, "Southborough Council")[-2] in ("0", SUPPRESSED)
