"""An update of some columns files the keys of the record as stored, whatever copy the caller read.

`child_details_update` writes only the columns it is given but refiles every blocking key. Built from
the caller's copy, a copy read before another change (a page loaded, then a colleague's correction
accepted) filed the keys of a name the record no longer held, and dropped the keys of the one it held:
search and linkage then missed the child by its name (a feed row about it could create a duplicate).
"""

from datetime import date

from children.models import BlockingKeyEntry, Child
from children.search import SearchCriteria, child_search_matches
from children.selectors import child_details
from children.services import blocking_digests
from corrections.fields import field_for
from corrections.services import correction_accept, correction_raise
from lifecycle.moves import address_status_record
from tests.personas import make_child


def _found_by(family_name: str) -> list[object]:
    criteria = SearchCriteria(family_name=family_name, date_of_birth=date(2015, 3, 4))
    return [r.child.pk for r in child_search_matches(criteria)]


def test_an_address_statement_from_a_page_read_before_a_name_correction_keeps_the_corrected_names_keys(
    world,
):
    child = make_child(world)  # Amelia Thornton; her family name is really Thorneycroft
    loaded = Child.objects.select_related("data_key").get(pk=child.pk)  # the address page loads it
    correction = correction_raise(
        child=child, field=field_for("family_name"), value="Thorneycroft", reason="Birth", by=world.alice
    )
    correction_accept(correction=correction, by=world.lena)  # a colleague, meanwhile
    address_status_record(
        child=loaded, by=world.lena, status="known", lines=["9 Canal Wharf", "Leeds"], postcode="LS11 5PS"
    )
    stored = child_details(Child.objects.get(pk=child.pk))
    assert (stored.family_name, stored.address.postcode) == ("Thorneycroft", "LS11 5PS")
    filed = set(BlockingKeyEntry.objects.filter(child=child).values_list("digest", "hidden"))
    assert filed == set(blocking_digests(stored))
    assert _found_by("Thorneycroft") == [child.pk]
