from datetime import date

from matching.blocking import dob_variants, query_keys, record_keys
from matching.identity import Identity
from matching.normalise import fold, given_name_forms, name_variants, normalise_postcode, phonetic


def test_a_day_and_month_both_twelve_or_less_give_a_transposed_variant():
    assert dob_variants(date(2015, 3, 4)) == {date(2015, 3, 4), date(2015, 4, 3)}


def test_no_transposition_when_the_day_cannot_be_a_month_or_equals_it():
    assert dob_variants(date(2015, 3, 14)) == {date(2015, 3, 14)}
    assert dob_variants(date(2015, 5, 5)) == {date(2015, 5, 5)}


def test_a_query_with_a_transposed_date_shares_a_key_with_the_record():
    record = Identity(family_names=("Thornton",), date_of_birth=date(2015, 3, 4))
    query = Identity(family_names=("Thornton",), date_of_birth=date(2015, 4, 3))
    assert {k.value for k in record_keys(record)} & query_keys(query)


def test_address_keys_are_marked_hidden_and_name_keys_are_not():
    keys = record_keys(
        Identity(family_names=("Okafor",), date_of_birth=date(2015, 3, 4), postcodes=("LS6 2QT",))
    )
    hidden = {k.value.split("|")[0] for k in keys if k.hidden}
    visible = {k.value.split("|")[0] for k in keys if not k.hidden}
    assert hidden == {"postcode-dob", "fam-postcode"}
    assert "fam-dob" in visible and not visible & hidden


def test_former_names_and_each_part_of_a_hyphenated_name_are_filed():
    keys = {
        k.value
        for k in record_keys(Identity(family_names=("Smith-Jones", "Brown"), date_of_birth=date(2015, 3, 4)))
    }
    for part in ("Smith", "Jones", "Brown"):
        assert f"fam-dob|{phonetic(part)}|2015-03-04" in keys


def test_gender_keys_need_a_gender():
    without = record_keys(
        Identity(family_names=("Ashworth",), given_names=("William",), date_of_birth=date(2015, 3, 4))
    )
    assert not [k for k in without if k.value.startswith("fam-given-gender")]


def test_normalisation_folds_accents_case_and_punctuation():
    assert fold("O'Brien-Zoë") == "OBRIENZOE"
    assert name_variants("Smith-Jones") == {"SMITH", "JONES", "SMITHJONES"}
    assert normalise_postcode("ls14ab") == "LS1 4AB"
    assert normalise_postcode("not a postcode") is None
    assert phonetic("") == ""
    assert given_name_forms("") == frozenset()
    assert "WILLIAM" in given_name_forms("Bill")
