"""The misuse rules by value: no database, no settings."""

import pytest

from oversight.rules import Thresholds, Verdict, shares_address, shares_family_name, volume_verdict


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


def test_own_address_cannot_be_detected_until_practitioner_addresses_are_held():
    assert not shares_address("LS1 4AB", ("LS1 4AB",))


@pytest.mark.parametrize(
    ("count", "verdict"),
    [(0, Verdict.QUIET), (3, Verdict.QUIET), (4, Verdict.ALERT), (6, Verdict.ALERT), (7, Verdict.SUSPEND)],
)
def test_more_than_the_threshold_alerts_and_more_than_the_hard_threshold_suspends(count, verdict):
    assert volume_verdict(count, Thresholds(alert_above=3, suspend_above=6)) == verdict
