"""Names fold to the same Latin letters whatever script or look-alike letters they were typed in."""

from matching.blocking import record_keys
from matching.identity import Identity
from matching.normalise import fold


def test_names_in_other_scripts_and_their_accents_fold_to_latin_letters():
    assert fold("O'Brien-Zoë") == "OBRIENZOE"
    assert fold("Анна Иванова") == "ANNAIVANOVA"
    assert fold("Strauß") == "STRAUSS" and fold("Øystein") == "OYSTEIN" and fold("Łukasz") == "LUKASZ"
    assert fold("\uff21\uff22\uff23") == "ABC"  # full-width letters


def test_look_alike_letters_of_another_script_fold_to_the_latin_letters_they_pass_for():
    # "Jasmine Okafor" with Cyrillic a, i, O, o: the same keys as typed in Latin letters.
    from datetime import date

    latin = Identity(family_names=("Okafor",), given_names=("Jasmine",), date_of_birth=date(2015, 3, 4))
    mixed = Identity(
        family_names=("\u041ek\u0430f\u043er",),
        given_names=("J\u0430sm\u0456ne",),
        date_of_birth=date(2015, 3, 4),
    )
    assert record_keys(mixed) == record_keys(latin) and record_keys(latin)


def test_letters_that_pass_for_latin_ones_also_read_as_them_not_only_by_sound():
    from matching.normalise import name_forms

    # "Holly" typed with Cyrillic En, O, U: by sound NOLLU, on screen HOLLY; both are forms of it.
    assert {"HOLLY", "NOLLU"} <= name_forms("\u041d\u043ell\u0443")
    assert name_forms("Holly") == frozenset({"HOLLY"})  # a Latin name gains nothing
