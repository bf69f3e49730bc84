"""A full stop joins the parts of a name as a hyphen does: "St.John" holds JOHN, "Murphy.Kelly" holds KELLY.

Names may hold a full stop (`children.text`: "St.John", an initial such as "J.R."), but
`matching.normalise.name_forms` split a name into its parts at spaces, hyphens and apostrophes only, so
"Murphy.Kelly" had the one form MURPHYKELLY where "Murphy-Kelly" has MURPHY, KELLY and MURPHYKELLY. A
feed row giving a shielded Aoife Kelly's family name joined to another with a full stop, the date one
digit out and the family moved, then met none of her keys and was created visible (the 2009 failure);
with a hyphen the same row is held for her LA team. And a practitioner searching "John" never met a
child recorded as "St.John".
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


def test_a_full_stop_splits_a_name_into_the_parts_a_hyphen_gives():
    assert name_forms("St.John") == frozenset({"ST", "JOHN", "STJOHN"})
    assert name_forms("Murphy.Kelly") == name_forms("Murphy-Kelly")
    assert name_forms("J.R.") == frozenset({"J", "R", "JR"})


def test_a_name_joined_with_a_full_stop_shares_the_phonetic_key_of_its_part_at_a_nearby_date():
    stored = Identity(family_names=("Kelly",), given_names=("Aoife",), date_of_birth=date(2015, 3, 4))
    typed = Identity(family_names=("Murphy.Kelly",), given_names=("Aoife",), date_of_birth=date(2015, 3, 14))
    assert {key.value for key in record_keys(stored)} & query_keys(typed)


@pytest.mark.django_db
def test_a_row_about_a_shielded_child_joining_her_name_with_a_full_stop_is_held_not_created(world):
    make_child(
        world,
        given_names="Aoife",
        family_name="Kelly",
        date_of_birth=date(2015, 3, 4),
        postcode="LS1 4AB",
        shielded=True,
    )
    report = health_rows_ingest(
        world,
        [
            feed_row(
                given_names="Aoife",
                family_name="Murphy.Kelly",
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
