"""National re-linkage's blocking: its comparisons grow with the records, not with their square, and a
record one or two realistic differences away from another still shares a rule with it."""

from datetime import date

import pytest

from linkage.national import BLOCKING_RULES
from linkage.tests.test_national_relink import _records
from matching.splink_columns import splink_row

pytest.importorskip("splink")


def _rows(records):
    return [
        splink_row(
            unique_id=r["record_id"],
            given=r["given"] or "",
            family=r["family"],
            gender=r["gender"],
            dob=r["dob"],
            postcode=r["postcode"] or "",
        )
        for r in records
    ]


def _comparisons(records, rules):
    """Splink's own count of the pairs `rules` make of `records` (exact: no sample): all of them, and
    each rule's alone."""
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    table = DuckDBAPI().register(_rows(records))

    def count(blocking):
        counted = count_comparisons_from_blocking_rules(
            table, blocking_rules=blocking, link_type="dedupe_only", record_sample_proportion=1.0
        )
        return counted[-1]["cumulative_comparison_count"]

    return count(list(rules)), [count(rule) for rule in rules]


def test_the_comparisons_grow_about_as_the_records_do():
    small, _ = _records(3_000, 1)
    large, _ = _records(12_000, 1)
    grown = len(large) / len(small)
    (before, before_each), (after, after_each) = (
        _comparisons(small, BLOCKING_RULES),
        _comparisons(large, BLOCKING_RULES),
    )
    # A rule on a date of birth alone, or a family name and a year of birth, grew some 15 times for 4
    # times the records: some 2e10 comparisons at 12 million children.
    assert after / before < 1.5 * grown, (before, after)
    for rule, one, other in zip(BLOCKING_RULES, before_each, after_each, strict=True):
        assert other / one < 1.5 * grown, (rule, one, other)


def _child(**changed):
    child = {
        "record_id": "a",
        "given": "Amelia",
        "family": "Thornton",
        "gender": "female",
        "dob": date(2015, 3, 4),
        "postcode": "LS1 4AB",
    }
    return child | {"record_id": "b"} | changed


APART = {
    "a twin": _child(given="Isla"),
    "the family name changed": _child(family="Okafor"),
    "the family name changed and a move away": _child(family="Okafor", postcode="SO14 2DF"),
    "the family name changed and the date of birth mistyped": _child(family="Okafor", dob=date(2015, 3, 14)),
    "another given name and a move away": _child(given="Millie", postcode="SO14 2DF"),
    "day and month swapped and a move away": _child(dob=date(2015, 4, 3), postcode="SO14 2DF"),
    "a year out and no postcode": _child(dob=date(2014, 3, 4), postcode=""),
    "a digit out and no postcode": _child(dob=date(2015, 8, 4), postcode=""),
    "names the other way round": _child(given="Thornton", family="Amelia"),
    "no given name and a move nearby": _child(given="", postcode="LS1 9ZZ"),
    "a sound-alike family name and a move away": _child(family="Thorntun", postcode="SO14 2DF"),
    "given name mistyped, a digit out and a move nearby": _child(
        given="Amleia", dob=date(2015, 3, 14), postcode="LS1 9ZZ"
    ),
    "no given name, a digit out and a move nearby": _child(
        given="", dob=date(2015, 3, 14), postcode="LS1 9ZZ"
    ),
    "a familiar given name, a year out and a move nearby": _child(
        given="Millie", dob=date(2014, 3, 4), postcode="LS1 9ZZ"
    ),
    "given name mistyped, day and month swapped and a move away": _child(
        given="Amleia", dob=date(2015, 4, 3), postcode="SO14 2DF"
    ),
    "a familiar given name, day and month swapped and no postcode": _child(
        given="Millie", dob=date(2015, 4, 3), postcode=""
    ),
}


@pytest.mark.parametrize("difference", APART)
def test_a_record_a_realistic_difference_away_is_still_compared(difference):
    assert _comparisons([_child(record_id="a"), APART[difference]], BLOCKING_RULES)[0] == 1
