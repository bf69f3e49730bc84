"""The misuse rules by value: no database, no settings."""

from datetime import UTC, datetime

import pytest

from oversight.rules import (
    Thresholds,
    Verdict,
    WorkingHours,
    shares_address,
    shares_family_name,
    volume_verdict,
    within_working_hours,
)


@pytest.mark.parametrize(
    ("searched", "own"),
    [
        ("Example", "Example"),
        ("  example ", "EXAMPLE"),
        ("O'Brien", "OBrien"),
        ("Smith", "Example-Smith"),
        ("Example-Jones", "Example"),
        ("Stephenson", "Stevenson"),
    ],
)
def test_a_family_name_like_the_searchers_own_is_flagged(searched, own):
    assert shares_family_name(searched, own)


@pytest.mark.parametrize(("searched", "own"), [("Thornton", "Example"), ("Begum", "Okafor"), ("Smith", "")])
def test_a_different_or_missing_family_name_is_not_flagged(searched, own):
    assert not shares_family_name(searched, own)


def test_an_empty_search_name_is_not_flagged():
    assert not shares_family_name("--", "Example")


def test_a_postcode_token_equal_to_the_searchers_own_is_their_address():
    assert shares_address("home", ["elsewhere", None, "home"])


def test_other_postcodes_are_not_the_searchers_address():
    assert not shares_address("home", ["elsewhere", None])


def test_nothing_is_the_address_of_a_searcher_with_no_home_postcode_held():
    assert not shares_address("", ["", None])


@pytest.mark.parametrize(
    ("count", "verdict"),
    [(0, Verdict.QUIET), (3, Verdict.QUIET), (4, Verdict.ALERT), (6, Verdict.ALERT), (7, Verdict.SUSPEND)],
)
def test_more_than_the_threshold_alerts_and_more_than_the_hard_threshold_suspends(count, verdict):
    assert volume_verdict(count, Thresholds(alert_above=3, suspend_above=6)) == verdict


OFFICE = WorkingHours.parse(start="07:00", end="19:00", weekdays=(0, 1, 2, 3, 4), zone="Europe/London")


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (datetime(2026, 12, 2, 6, 59, tzinfo=UTC), False),  # Wednesday, GMT
        (datetime(2026, 12, 2, 7, 0, tzinfo=UTC), True),
        (datetime(2026, 12, 2, 18, 59, tzinfo=UTC), True),
        (datetime(2026, 12, 2, 19, 0, tzinfo=UTC), False),
        (datetime(2026, 12, 5, 12, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2026, 7, 1, 6, 30, tzinfo=UTC), True),  # 07:30 British Summer Time
        (datetime(2026, 7, 1, 18, 30, tzinfo=UTC), False),  # 19:30 British Summer Time
    ],
)
def test_working_hours_are_local_weekday_hours_in_their_own_time_zone(moment, inside):
    assert within_working_hours(moment, OFFICE) is inside


NIGHTS = WorkingHours.parse(start="19:00", end="07:00", weekdays=tuple(range(7)), zone="Europe/London")


@pytest.mark.parametrize(
    ("hour", "inside"), [(23, True), (3, True), (6, True), (7, False), (12, False), (19, True)]
)
def test_working_hours_that_end_before_they_start_run_past_midnight(hour, inside):
    assert within_working_hours(datetime(2026, 12, 2, hour, 0, tzinfo=UTC), NIGHTS) is inside


def test_working_hours_that_start_when_they_end_are_the_whole_day():
    always = WorkingHours.parse(start="00:00", end="00:00", weekdays=tuple(range(7)), zone="Europe/London")
    assert within_working_hours(datetime(2026, 12, 2, 3, 0, tzinfo=UTC), always)
