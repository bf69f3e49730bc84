"""An apostrophe is an apostrophe whichever one was typed: O'Brien with U+2019 or U+02BC is one name.

Names may hold the typewriter apostrophe, the right single quotation mark (what a phone, a word
processor or a Mac types for it) and the modifier letter apostrophe (`children.text`), but
`matching.normalise.name_forms` split a name into its parts at the typewriter apostrophe only. "O'Brien"
had the forms O, BRIEN and OBRIEN; "O\u2019Brien" only OBRIEN. A child recorded as "O'Brien-Kelly" (forms O,
BRIEN, KELLY, OBRIENKELLY) then shared no family form with a feed row saying "O\u2019Brien", so once the
date of birth was one digit out and the family had moved (the nearby dates are looked up with the
phonetic family name only) the row met none of the child's keys: a shielded child was created again,
visible. With a typewriter apostrophe the same row is held for the LA team.
"""

from datetime import date

import pytest

from children.models import Child
from feeds.models import RowOutcome
from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.models import ClericalReview
from matching.blocking import query_keys, record_keys
from matching.identity import Identity
from matching.normalise import name_forms
from tests.personas import make_child

APOSTROPHES = ("'", "\u2019", "\u02bc", "\u2018")


@pytest.mark.parametrize("apostrophe", APOSTROPHES)
def test_every_apostrophe_splits_a_name_into_the_same_parts(apostrophe):
    assert name_forms(f"O{apostrophe}Brien") == frozenset({"O", "BRIEN", "OBRIEN"})
    assert name_forms(f"O{apostrophe}Brien-Kelly") == name_forms("O'Brien-Kelly")


@pytest.mark.parametrize("apostrophe", APOSTROPHES)
def test_a_record_and_a_query_with_different_apostrophes_share_the_phonetic_key_at_a_nearby_date(apostrophe):
    stored = Identity(family_names=("O'Brien-Kelly",), given_names=("Aoife",), date_of_birth=date(2015, 3, 4))
    typed = Identity(
        family_names=(f"O{apostrophe}Brien",), given_names=("Aoife",), date_of_birth=date(2015, 3, 14)
    )
    assert {key.value for key in record_keys(stored)} & query_keys(typed)


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_a_row_about_a_shielded_child_with_another_apostrophe_is_held_not_created(world, apostrophe):
    make_child(
        world,
        given_names="Aoife",
        family_name="O'Brien-Kelly",
        date_of_birth=date(2015, 3, 4),
        postcode="LS1 4AB",
        shielded=True,
    )
    report = health_rows_ingest(
        world,
        [
            feed_row(
                given_names="Aoife",
                family_name=f"O{apostrophe}Brien",
                date_of_birth="2015-03-14",  # one digit out
                postcode="BD1 1AA",  # moved
                address_line="9 Canal Street",
                nhs_number=None,
            )
        ],
    )
    assert report.counts[RowOutcome.CREATED] == 0
    assert report.counts[RowOutcome.REVIEW] == 1
    assert ClericalReview.objects.get().shielded_hold
    assert not Child.objects.filter(shielded=False).exists()
