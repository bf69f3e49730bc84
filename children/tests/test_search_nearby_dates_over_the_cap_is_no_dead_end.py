"""A dated search whose nearby-date tier is over the candidate cap, with nothing offered at the typed date,
says so in words a practitioner can act on: never "No children found" (a child it did not look at may be
the one), and never "refine your search" (add a given name, a postcode), which cannot help.

The nearby-date tier is built from the family name's sound code and the dates a keying mistake from the
typed date (`matching.blocking.query_key_tiers`): a given name, gender or postcode typed never makes it
smaller, so at national density a common family name whose child is not at the typed date asked to refine
however much was typed: a dead end. What can help is checking the date, or searching without it.
`CANDIDATE_LIMIT` is lowered to 5 so national density (about 18 Smiths born a day at 12 million children,
some 40 nearby dates) fits in a test.
"""

from datetime import date

from django.urls import reverse

import children.search as search_module
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.search import SearchCriteria, child_search
from tests.journeys import signed_in
from tests.personas import make_child

TYPED = date(2015, 3, 4)
EVERY_FIELD = SearchCriteria(
    "Smith", date_of_birth=TYPED, given_name="Olivia", gender="female", postcode="LS1 4AB"
)
EVERY_FIELD_FORM = {
    "family_name": "Smith",
    "given_name": "Olivia",
    "gender": "female",
    "dob_day": "4",
    "dob_month": "3",
    "dob_year": "2015",
    "postcode": "LS1 4AB",
}


def _smiths_on_nearby_dates(world, days=(5, 6, 7, 8, 9, 24)):
    """Smiths born a keying mistake from 4 March 2015 (none on it), living away from the postcode typed."""
    for day in days:
        make_child(
            world,
            given_names="Zed",
            family_name="Smith",
            date_of_birth=date(2015, 3, day),
            gender="male",
            postcode="M1 1AA",
        )


def _search(world, criteria=EVERY_FIELD):
    return child_search(criteria=criteria, fetched_by=world.alice)


def test_a_search_with_every_field_typed_is_not_asked_to_refine(world, monkeypatch):
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    _smiths_on_nearby_dates(world)
    outcome = _search(world)
    assert (outcome.results, outcome.too_many, outcome.close_calls) == ([], False, False)
    assert outcome.nearby_dates_unchecked and not outcome.near_miss


def test_family_name_and_date_alone_say_the_same(world, monkeypatch):
    """A given name or postcode would not shrink the nearby dates either: the same answer, not "refine"."""
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    _smiths_on_nearby_dates(world)
    outcome = _search(world, SearchCriteria("Smith", date_of_birth=TYPED))
    assert (outcome.results, outcome.too_many, outcome.nearby_dates_unchecked) == ([], False, True)


def test_within_the_cap_the_nearby_dates_are_looked_at_and_the_answer_is_ordinary(world):
    _smiths_on_nearby_dates(world)
    outcome = _search(world)
    assert (outcome.results, outcome.too_many, outcome.nearby_dates_unchecked) == ([], False, False)


def test_a_child_at_the_typed_date_is_shown_though_the_nearby_dates_are_over_the_cap(world, monkeypatch):
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    _smiths_on_nearby_dates(world)
    olivia = make_child(world, given_names="Olivia", family_name="Smith", date_of_birth=TYPED)
    outcome = _search(world)
    assert [r.child.pk for r in outcome.results] == [olivia.pk]
    assert not outcome.too_many and not outcome.nearby_dates_unchecked


def test_the_typed_date_over_the_cap_still_asks_to_refine(world, monkeypatch):
    """Too many at the typed date itself: more detail can narrow those (the typed tier), so "refine" stays."""
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    for _ in range(6):
        make_child(world, given_names="Zed", family_name="Smith", date_of_birth=TYPED, gender="male")
    outcome = _search(world, SearchCriteria("Smith", date_of_birth=TYPED))
    assert (outcome.results, outcome.too_many, outcome.nearby_dates_unchecked) == ([], True, False)


def test_a_names_only_search_over_the_cap_still_asks_to_refine(world, monkeypatch):
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    for day in range(1, 8):
        make_child(world, given_names="Olivia", family_name="Smith", date_of_birth=date(2012, 5, day))
    outcome = _search(world, SearchCriteria("Smith", given_name="Olivia", gender="female"))
    assert outcome.too_many and not outcome.nearby_dates_unchecked


def test_the_page_says_check_the_date_and_never_no_children_or_add_details(world, monkeypatch):
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    _smiths_on_nearby_dates(world)
    response = signed_in(world.alice).post(reverse("children:search"), EVERY_FIELD_FORM, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "No child matching your search was found born on the date you entered" in page
    assert "too many children with similar names born on nearby dates to check them all" in page
    assert "Check the date of birth with the person who gave it to you" in page
    assert "This does not mean no one else is working with this child" in page
    assert "No children found" not in page
    assert "Refine your search" not in page
    assert "to narrow your search" not in page
    assert "Zed" not in page  # nobody is shown


def test_the_results_page_shown_again_says_the_same(world, monkeypatch):
    """The outcome is kept with the search (post/redirect/get): the results address shows it again."""
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    _smiths_on_nearby_dates(world)
    client = signed_in(world.alice)
    response = client.post(reverse("children:search"), EVERY_FIELD_FORM)
    again = client.get(response["Location"]).content.decode()
    assert (
        "No child matching your search was found born on the date you entered" in again
        and "No children found" not in again
    )
    assert AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).count() == 1


def test_it_is_audited_as_its_own_flag_with_no_criteria_and_not_as_refine(world, monkeypatch):
    """Not "too many": the refined-searches misuse rule counts searches the searcher made too broad."""
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    _smiths_on_nearby_dates(world)
    _search(world)
    event = AuditEvent.objects.get(tag=AuditTag.SearchPerformed)
    extra = event.additional
    assert extra["nearby_dates_unchecked"] is True
    assert (extra["too_many"], extra["near_miss"], extra["close_calls"], extra["result_ids"]) == (
        False,
        False,
        False,
        [],
    )
    assert "Smith" not in str(extra) and "Olivia" not in str(extra) and "2015" not in str(extra)


def test_an_ordinary_search_is_audited_with_the_flag_off(world, child):
    _search(world, SearchCriteria("Thornton", date_of_birth=TYPED))
    event = AuditEvent.objects.get(tag=AuditTag.SearchPerformed)
    assert event.additional["nearby_dates_unchecked"] is False


def test_the_activity_report_words_it_without_its_criteria(world, monkeypatch):
    from reports.reports import report_rows, user_activity

    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    _smiths_on_nearby_dates(world)
    child_search(criteria=EVERY_FIELD, fetched_by=world.bob)
    rows = report_rows(
        events=user_activity(subject=world.bob, fetched_by=world.nadia), fetched_by=world.nadia
    )
    assert [r.note for r in rows] == ["None on the date typed, too many on nearby dates: none shown"]


def test_shielded_children_found_only_through_their_address_never_tip_the_answer(world, monkeypatch):
    """The tiers count only the children the practitioner may be shown through each key: a shielded child
    sharing only address-derived keys with the search (born on the typed date in the typed postcode's
    sector) is not counted, so whether the answer is "too many on nearby dates" says nothing of it."""
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    _smiths_on_nearby_dates(world, days=(5, 6, 7, 8, 9))  # five: exactly the cap
    make_child(world, given_names="Kit", family_name="Jones", date_of_birth=TYPED, shielded=True)
    assert not _search(world).nearby_dates_unchecked


def test_control_the_same_child_unshielded_is_counted(world, monkeypatch):
    monkeypatch.setattr(search_module, "CANDIDATE_LIMIT", 5)
    _smiths_on_nearby_dates(world, days=(5, 6, 7, 8, 9))
    make_child(world, given_names="Kit", family_name="Jones", date_of_birth=TYPED)
    outcome = _search(world)
    assert outcome.nearby_dates_unchecked and outcome.results == []
