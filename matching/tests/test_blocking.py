from dataclasses import replace
from datetime import date

import pytest

from matching.blocking import (
    QueryKeys,
    candidates_within,
    dob_neighbours,
    dob_variants,
    query_key_tiers,
    query_keys,
    record_keys,
)
from matching.identity import Identity
from matching.normalise import (
    fold,
    given_name_forms,
    name_forms,
    normalise_partial_postcode,
    normalise_postcode,
    phonetic,
)

RECORD = Identity(
    family_names=("Paterson",),
    given_names=("Holly Rose",),
    date_of_birth=date(2015, 4, 20),
    gender="female",
    postcodes=("LS1 4AB",),
)


def _shares_a_key(record: Identity, query: Identity, *, visible_only: bool = False) -> bool:
    filed = {k.value for k in record_keys(record) if not (visible_only and k.hidden)}
    return bool(filed & query_keys(query))


def test_a_day_and_month_both_twelve_or_less_give_a_transposed_variant():
    assert dob_variants(date(2015, 3, 4)) == {date(2015, 3, 4), date(2015, 4, 3)}
    assert dob_variants(date(2015, 3, 14)) == {date(2015, 3, 14)}


def test_neighbouring_dates_include_one_digit_errors_and_a_year_either_side():
    near = dob_neighbours(date(2015, 4, 20))
    assert {date(2015, 4, 30), date(2014, 4, 20), date(2016, 4, 20), date(2015, 4, 2)} <= near
    assert date(2015, 4, 20) not in near


@pytest.mark.parametrize(
    "mistake",
    [
        {"family_names": ("Paterson",)},  # no mistake at all
        {"family_names": ("Pateron",)},  # typo that changes the phonetic code
        {"family_names": ("Baterson",)},  # first letter wrong
        {"family_names": ("Holly",), "given_names": ("Paterson",)},  # names swapped
        {"given_names": ("hol ly",)},  # spaced given name
        {"date_of_birth": date(2015, 4, 30)},  # one digit
        {"date_of_birth": date(2014, 4, 20)},  # year off by one
        {"postcodes": ("LS1",), "given_names": ()},  # partial postcode
    ],
)
def test_one_mistake_in_any_field_still_shares_a_key(mistake):
    query = replace(RECORD, **mistake)
    if "postcodes" not in mistake:
        query = replace(query, postcodes=())  # name and date keys alone must survive the mistake
    assert _shares_a_key(RECORD, query)


def test_a_typo_in_the_family_name_is_found_with_only_a_date_of_birth():
    query = Identity(family_names=("Maspn",), date_of_birth=date(2015, 4, 20))
    record = Identity(family_names=("Mason",), given_names=("Leo",), date_of_birth=date(2015, 4, 20))
    assert _shares_a_key(record, query)


def test_the_widened_tier_holds_only_nearby_dates():
    tiers = query_key_tiers(Identity(family_names=("Paterson",), date_of_birth=date(2015, 4, 20)))
    assert "fp|PATARSAN|2015-04-20" in tiers.exact
    assert "fp|PATARSAN|2015-04-30" in tiers.widened
    assert not tiers.exact & tiers.widened


def test_address_keys_are_marked_hidden_and_name_keys_are_not():
    keys = record_keys(RECORD)
    hidden = {k.kind for k in keys if k.hidden}
    visible = {k.kind for k in keys if not k.hidden}
    assert hidden == {"pc", "pl", "fd", "sd", "dd"}
    assert {"fp", "f2", "fl", "l2", "gp", "fg"} <= visible


def test_a_postcode_only_search_shares_no_visible_key():
    query = Identity(family_names=("Paterson",), postcodes=("LS1 4AB",))
    assert not _shares_a_key(RECORD, query, visible_only=True)
    assert _shares_a_key(RECORD, query)


def test_former_names_and_each_part_of_a_hyphenated_name_are_filed():
    keys = {
        k.value
        for k in record_keys(Identity(family_names=("Smith-Jones", "Brown"), date_of_birth=date(2015, 3, 4)))
    }
    for part in ("Smith", "Jones", "Brown"):
        assert f"fp|{phonetic(part)}|2015-03-04" in keys


def test_normalisation_folds_accents_case_and_punctuation():
    assert fold("O'Brien-Zoë") == "OBRIENZOE"
    assert name_forms("Smith-Jones") == {"SMITH", "JONES", "SMITHJONES"}
    assert name_forms("hol ly") >= {"HOLLY"}
    assert normalise_postcode("ls14ab") == "LS1 4AB"
    assert normalise_postcode("not a postcode") is None
    assert phonetic("") == ""
    assert given_name_forms("") == frozenset()
    assert "WILLIAM" in given_name_forms("Bill")


def test_partial_postcodes_normalise_to_a_district_or_sector():
    assert normalise_partial_postcode("ls1") == "LS1"
    assert normalise_partial_postcode("ls1 4") == "LS1 4"
    assert normalise_partial_postcode("LS14") == "LS14"
    assert normalise_partial_postcode("ls1 4ab") == "LS1 4AB"
    assert normalise_partial_postcode("LS1 4A") is None


def test_a_search_with_a_date_keeps_name_only_keys_in_the_broad_tier():
    tiers = query_key_tiers(
        Identity(family_names=("Paterson",), given_names=("Holly",), date_of_birth=date(2015, 4, 20))
    )
    assert any(k.startswith("fg|") for k in tiers.broad)
    assert not any(k.split("|")[0] in {"fg", "gf", "fg2"} for k in tiers.exact)


def test_a_name_and_given_name_search_looks_up_exact_names_first():
    tiers = query_key_tiers(Identity(family_names=("Paterson",), given_names=("Holly",), gender="female"))
    assert any(k.startswith("fg|") for k in tiers.exact)
    assert any(k.startswith("gf|") for k in tiers.broad)


def test_a_tier_that_would_pass_the_cap_is_left_out_whole_and_never_truncated():
    keys = QueryKeys(exact=frozenset({"a"}), widened=frozenset({"b"}), broad=frozenset({"c"}))
    blocks = {"a": {1, 2}, "b": {3}, "c": {4, 5, 6}}
    found = candidates_within(keys, lambda tier: {i for k in tier for i in blocks[k]}, cap=4)
    assert found.found == {1, 2, 3} and found.tiers_used == 2 and not found.refine


def test_an_exact_tier_over_the_cap_asks_to_refine():
    keys = QueryKeys(exact=frozenset({"a"}), widened=frozenset())
    found = candidates_within(keys, lambda tier: {1, 2, 3}, cap=2)
    assert found.refine and not found.found


def test_with_every_field_given_name_keys_at_the_date_come_after_the_family_name_keys():
    tiers = query_key_tiers(RECORD)
    assert "gp|HALY|2015-04-20" in tiers.widened
    assert "fp|PATARSAN|2015-04-20" in tiers.exact
    assert not any(k.startswith("gp|") for k in tiers.exact)


def test_a_former_postcode_is_filed_under_the_current_postcodes_keys_all_hidden():
    moved = replace(RECORD, postcodes=("HG1 2AB",), former_postcodes=("LS1 4AB",))
    filed = record_keys(moved)
    as_current = {k for k in record_keys(RECORD) if k.hidden}
    assert as_current <= filed  # the old postcode's keys, exactly as when it was current
    assert all(k.hidden for k in filed - record_keys(replace(moved, former_postcodes=())))
    query = Identity(family_names=("Paterson",), postcodes=("LS1 4AB",))
    assert _shares_a_key(moved, query) and not _shares_a_key(moved, query, visible_only=True)


def test_a_key_only_a_former_name_gives_is_hidden_and_one_the_current_name_gives_too_is_not():
    """A shielded child's former names are withheld like its address: search must not find it by them."""
    renamed = Identity(
        family_names=("Okafor", "Whitlock"), given_names=("Jasmine", "Jas"), date_of_birth=date(2014, 6, 7)
    )
    keys = {k.value: k.hidden for k in record_keys(renamed)}
    assert keys[f"fp|{phonetic('Whitlock')}|2014-06-07"] is True
    assert keys[f"fp|{phonetic('Okafor')}|2014-06-07"] is False
    assert keys[f"gp|{phonetic('Jasmine')}|2014-06-07"] is False
    # Both names end in a consonant pair the current name gives: that key stays visible.
    current_only = {k.value for k in record_keys(replace(renamed, family_names=("Okafor",)))}
    assert all(
        not keys[value] for value in current_only if value in keys and not value.startswith(("pc", "pl"))
    )
