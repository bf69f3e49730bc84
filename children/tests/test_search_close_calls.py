""" "Refine your search" says why: too many children match, or several could be the one and none is clearly it.

Three TAYLORs born a digit or a year away from the date typed are each a close call (10 to 14 bits) and none
a match: the search asks for more detail (`AmbiguousCloseCalls`), and the page must not claim that more
than ten children match.
"""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.search import SearchCriteria, child_search
from tests.journeys import signed_in
from tests.pages import without_tokens
from tests.personas import make_child

TYPED = {"family_name": "Taylor", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
CLOSE_CALLS = "Several children could be the one you are looking for"
TOO_MANY = "More than 10 children match"


@pytest.fixture
def three_taylors(world):
    for given, born in (("Amy", date(2015, 3, 5)), ("Beth", date(2015, 3, 6)), ("Cara", date(2016, 3, 4))):
        make_child(world, given_names=given, family_name="Taylor", date_of_birth=born)


def test_several_close_calls_and_no_match_ask_to_refine_as_close_calls(world, three_taylors):
    outcome = child_search(
        criteria=SearchCriteria("Taylor", date_of_birth=date(2015, 3, 4)), fetched_by=world.alice
    )
    assert outcome.results == []
    assert outcome.too_many is True and outcome.close_calls is True
    event = AuditEvent.objects.get(tag=AuditTag.SearchPerformed)
    assert event.additional["too_many"] is True  # still a refined search for the misuse rules
    assert event.additional["close_calls"] is True


def test_the_activity_report_describes_close_calls_without_their_criteria(world, three_taylors):
    from reports.reports import report_rows, user_activity

    child_search(criteria=SearchCriteria("Taylor", date_of_birth=date(2015, 3, 4)), fetched_by=world.bob)
    rows = report_rows(
        events=user_activity(subject=world.bob, fetched_by=world.nadia), fetched_by=world.nadia
    )
    assert [r.note for r in rows] == ["Several possible matches: none shown"]


def test_the_page_says_several_children_could_match_not_that_more_than_ten_do(world, three_taylors):
    page = without_tokens(
        signed_in(world.alice).post(reverse("children:search"), TYPED, follow=True).content.decode()
    )
    assert "Refine your search" in page
    assert CLOSE_CALLS in page
    assert TOO_MANY not in page
    assert "Amy" not in page and "Beth" not in page


def test_the_page_says_more_than_ten_match_when_they_do(world):
    for i in range(11):
        make_child(world, given_names=f"Child{i}", family_name="Taylor", date_of_birth=date(2015, 3, 4))
    page = without_tokens(
        signed_in(world.alice).post(reverse("children:search"), TYPED, follow=True).content.decode()
    )
    assert TOO_MANY in page
    assert CLOSE_CALLS not in page
