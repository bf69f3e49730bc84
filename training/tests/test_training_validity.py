"""Training stays valid to the anniversary of the pass, leap years included: a pass on 1 March 2027 lapses
on 1 March 2028, not on 29 February 2028. A pass on 29 February lapses on 1 March in a common year (as a
29 February birthday falls on 1 March, docs/LIFECYCLE.md). The account guard and the LA team's "due to
lapse" list agree."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import training_lapses_on
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user


def _at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC), tick=False)


@pytest.mark.parametrize(
    ("passed_on", "lapses_on"),
    [
        (date(2027, 3, 1), date(2028, 3, 1)),  # the year holds 29 February 2028
        (date(2028, 2, 29), date(2029, 3, 1)),  # no 29 February in 2029: 1 March
        (date(2027, 2, 28), date(2028, 2, 28)),
        (date(2026, 1, 5), date(2027, 1, 5)),
        (date(2027, 12, 31), date(2028, 12, 31)),
    ],
)
def test_training_lapses_on_the_anniversary_of_the_pass(passed_on, lapses_on):
    assert training_lapses_on(passed_on) == lapses_on


@pytest.mark.parametrize(
    ("passed_on", "last_valid_day"),
    [(date(2027, 3, 1), date(2028, 2, 29)), (date(2028, 2, 29), date(2029, 2, 28))],
)
def test_the_account_guard_lets_training_run_to_the_anniversary(world, passed_on, last_valid_day):
    world.alice.training_completed_on = passed_on
    world.alice.background_check_on = passed_on
    world.alice.save(update_fields=["training_completed_on", "background_check_on"])
    with _at(last_valid_day):
        assert world.alice.training_current(last_valid_day)
        page = signed_in(world.alice).get(reverse("children:search"))
        assert page.status_code == 200 and "Find a child" in page.content.decode()
    anniversary = last_valid_day + timedelta(days=1)
    with _at(anniversary):
        assert not world.alice.training_current(anniversary)
        response = signed_in(world.alice).get(reverse("children:search"))
        assert (response.status_code, response["Location"]) == (302, reverse("training:course"))


def test_the_team_is_warned_30_days_before_the_anniversary_not_before(world):
    make_user(
        "leaper",
        world.north_school,
        training_completed_on=date(2027, 3, 1),
        background_check_on=date(2027, 3, 1),
    )
    world.lena.background_check_on = world.lena.training_completed_on = date(2027, 6, 1)
    world.lena.save(update_fields=["background_check_on", "training_completed_on"])
    for today, due in ((date(2028, 1, 30), False), (date(2028, 1, 31), True)):  # lapses 1 March 2028
        with _at(today):
            page = rendered(
                signed_in(world.lena).get(reverse("team:users")), heading="Accounts in your local authority"
            )
        due_list = (
            page[page.index('id="lapsing"') : page.index("</ul>", page.index('id="lapsing"'))]
            if 'id="lapsing"' in page
            else ""
        )
        assert ("Leaper Example" in due_list) is due, today


@pytest.mark.parametrize(
    ("checked_on", "last_valid_day"),
    [(date(2027, 3, 1), date(2030, 2, 28)), (date(2028, 2, 29), date(2031, 2, 28))],
)
def test_a_background_check_runs_to_its_third_anniversary_too(world, checked_on, last_valid_day):
    """The same rule for the background check (3 years): 3 x 365 days lapsed a day early across 2028."""
    world.alice.background_check_on = checked_on
    assert world.alice.background_check_current(last_valid_day)
    assert not world.alice.background_check_current(last_valid_day + timedelta(days=1))
