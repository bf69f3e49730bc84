from datetime import date

from matching.identity import Identity
from matching.scoring import dob_similarity, family_similarity, given_similarity, postcode_similarity, score


def _who(**fields) -> Identity:
    return Identity(**fields)


def test_an_exact_family_name_scores_one():
    assert family_similarity("Thornton", ("Thornton",)) == 1.0


def test_a_sound_alike_family_name_scores_at_least_the_phonetic_floor():
    assert family_similarity("Thorntun", ("Thornton",)) >= 0.92


def test_one_part_of_a_double_barrelled_name_matches():
    assert family_similarity("Smith", ("Smith-Jones",)) == 1.0


def test_an_unrelated_family_name_scores_low():
    assert family_similarity("Okafor", ("Thornton",)) < 0.6


def test_a_nickname_matches_its_formal_given_name():
    assert given_similarity("Bill", ("William",)) == 1.0


def test_an_unrelated_given_name_scores_by_string_similarity():
    assert given_similarity("Amelia", ("Amelie",)) > 0.9
    assert given_similarity("Amelia", ("Oscar",)) < 0.6


def test_date_of_birth_agreement_levels():
    query = _who(date_of_birth=date(2015, 3, 4))
    assert dob_similarity(query, _who(date_of_birth=date(2015, 3, 4))) == 1.0
    assert dob_similarity(query, _who(date_of_birth=date(2015, 4, 3))) == 0.8
    assert dob_similarity(query, _who(date_of_birth=date(2015, 3, 9))) == 0.4
    assert dob_similarity(query, _who(date_of_birth=date(2016, 7, 9))) == 0.0
    assert dob_similarity(query, _who()) == 0.0


def test_postcode_agreement_levels():
    query = _who(postcodes=("LS1 4AB",))
    assert postcode_similarity(query, _who(postcodes=("LS1 4AB",))) == 1.0
    assert postcode_similarity(query, _who(postcodes=("LS1 9ZZ",))) == 0.5
    assert postcode_similarity(query, _who(postcodes=("M1 1AA",))) == 0.0
    assert postcode_similarity(query, _who()) == 0.0


def test_score_counts_only_the_fields_the_query_supplies():
    candidate = _who(
        family_names=("Thornton",), given_names=("Amelia",), date_of_birth=date(2015, 3, 4), gender="female"
    )
    match = score(_who(family_names=("Thornton",), date_of_birth=date(2015, 3, 4)), candidate)
    assert set(match.fields) == {"family", "dob"}
    assert match.total == 1.0


def test_score_ignores_the_address_when_told_not_to_use_hidden_fields():
    candidate = _who(family_names=("Okafor",), postcodes=("LS6 2QT",))
    query = _who(family_names=("Okafor",), postcodes=("LS6 2QT",))
    assert "postcode" in score(query, candidate).fields
    assert "postcode" not in score(query, candidate, use_hidden=False).fields


def test_a_gender_mismatch_lowers_the_score_and_not_specified_is_ignored():
    candidate = _who(family_names=("Ashworth",), gender="male")
    assert score(_who(family_names=("Ashworth",), gender="female"), candidate).fields["gender"] == 0.0
    assert "gender" not in score(_who(family_names=("Ashworth",), gender="not_specified"), candidate).fields


def test_an_empty_query_scores_zero():
    assert score(_who(), _who(family_names=("Thornton",))).total == 0.0
