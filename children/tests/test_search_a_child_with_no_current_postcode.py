"""A child with no known address now keeps the postcodes of where they lived (`former_postcodes`): a search
typing some other postcode is answered, the child judged as if no postcode were held (a move says nothing
against a postcode the practitioner holds), never a server error."""

from children.search import SearchCriteria, child_search
from children.tests.test_former_postcodes import _move, _results_page
from tests.journeys import signed_in

BORN = {"dob_day": "4", "dob_month": "3", "dob_year": "2015"}


def test_a_search_typing_another_postcode_finds_a_child_with_only_previous_postcodes(world, child):
    _move(child, None)  # moved to no known address: LS1 4AB is kept as a previous postcode
    page = _results_page(signed_in(world.alice), family_name="Thornton", postcode="M1 1AE", **BORN)
    assert "Amelia Thornton" in page
    assert "Family name matches, date of birth matches" in page
    assert "postcode" not in page[page.index("cp-why") :].split("</p>", 1)[0].lower()


def test_a_previous_postcode_that_differs_weighs_as_no_postcode_held(world, child):
    from datetime import date

    _move(child, None)
    criteria = {"family_name": "Thornton", "date_of_birth": date(2015, 3, 4)}
    without = child_search(criteria=SearchCriteria(**criteria), fetched_by=world.alice).results
    other = child_search(
        criteria=SearchCriteria(**criteria, postcode="M1 1AE"), fetched_by=world.alice
    ).results
    assert [r.child.pk for r in other] == [r.child.pk for r in without] == [child.pk]
    assert other[0].score.weight == without[0].score.weight
    assert "postcode" not in other[0].score.levels
