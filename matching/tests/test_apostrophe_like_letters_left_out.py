"""The apostrophe-like letters the first list left out split a name as the apostrophe does.

`matching.normalise.NAME_SEPARATORS` split at the modifier letters drawn as an apostrophe (the prime
U+02B9, the double apostrophe U+02EE, the vertical line U+02C8, ...) but not at the double prime (U+02BA,
inside the range its comment names), nor at the modifier acute and grave accents (U+02CA, U+02CB), drawn
as the acute and grave accents that stand for an apostrophe on many keyboards. All three are letters (Lm),
so a name may hold them (`children.text`), and folding drops them: "O\u02caBrien" had only the form OBRIEN,
none of O'Brien-Kelly's, and a feed row about a shielded Aoife O'Brien-Kelly so spelt, the date one digit
out and the family moved, met none of her keys and was created visible.
"""

from datetime import date

import pytest

from children.models import Child
from feeds.models import RowOutcome
from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.models import ClericalReview
from matching.normalise import name_forms
from tests.personas import make_child

LEFT_OUT = ("\u02ba", "\u02ca", "\u02cb")


@pytest.mark.parametrize("letter", LEFT_OUT)
def test_the_letter_splits_a_name_as_the_apostrophe_does(letter):
    assert name_forms(f"O{letter}Brien-Kelly") == name_forms("O'Brien-Kelly")


@pytest.mark.parametrize("letter", LEFT_OUT)
def test_a_row_about_a_shielded_child_spelt_with_the_letter_is_held_not_created(world, letter):
    make_child(
        world,
        given_names="Aoife",
        family_name="O'Brien-Kelly",
        date_of_birth=date(2015, 3, 4),
        postcode="LS1 4AB",
        shielded=True,
    )
    row = feed_row(
        given_names="Aoife",
        family_name=f"O{letter}Brien",
        date_of_birth="2015-03-14",  # one digit out
        postcode="BD1 1AA",  # moved
        address_line="9 Canal Street",
        nhs_number=None,
    )
    report = health_rows_ingest(world, [row])
    assert report.counts[RowOutcome.CREATED] == 0
    assert report.counts[RowOutcome.REVIEW] == 1
    assert ClericalReview.objects.get().shielded_hold
    assert not Child.objects.filter(shielded=False).exists()
