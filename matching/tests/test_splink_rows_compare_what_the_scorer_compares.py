"""The Splink rows (training, national re-linkage) hold the name forms the in-process scorer compares:
never a one-letter part, which is no name (`matching.scoring.compared_forms`)."""

from datetime import date

import pytest

from matching.splink_columns import splink_row


def _row(given: str, family: str, postcode: str = "LS1 4AB") -> dict:
    return splink_row(
        unique_id=1, given=given, family=family, gender="female", dob=date(2015, 3, 4), postcode=postcode
    )


def test_a_one_letter_part_is_in_no_splink_name_column_that_decides_exact_or_familiar():
    obrien, oneil = _row("Aoife", "O'Brien"), _row("Aoife", "O\u2019Neil")
    assert not set(obrien["family_name_forms"]) & set(oneil["family_name_forms"])
    assert not set(obrien["family_name_phon"]) & set(oneil["family_name_phon"])
    dangelo, darcy = _row("D'Angelo", "Okafor"), _row("D'Arcy", "Okafor")
    assert not set(dangelo["given_name_forms"]) & set(darcy["given_name_forms"])
    assert not set(dangelo["given_name_formal"]) & set(darcy["given_name_formal"])
    assert "SMITH" in _row("Amelia", "Smith-Jones")["family_name_forms"]  # real parts stay
    assert "WILLIAM" in _row("Bill", "Smith")["given_name_formal"]
    assert _row("Amelia", "O")["family_name_forms"] == ["O"]  # a name that is only an initial keeps it


def test_national_relinkage_keeps_apart_two_children_sharing_only_the_o_of_their_family_names():
    pytest.importorskip("splink")
    from linkage.national import national_relink

    born = date(2015, 3, 4)
    records = [
        {"record_id": "1", "given": "Aoife", "family": "O'Brien", "gender": "female", "dob": born,
         "postcode": "LS1 4AB"},
        {"record_id": "2", "given": "Aoife", "family": "O'Neil", "gender": "female", "dob": born,
         "postcode": "M1 1AE"},
    ]  # fmt: skip
    clusters = national_relink(records)
    assert clusters["1"] != clusters["2"]
