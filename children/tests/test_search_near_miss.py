"""A search that offers no child but saw one that nothing typed rules out says "no close match", not
"no children found" (issue #9: "no children found" is read as "nobody else is involved").

The child fixture lives at LS1 4AB; LS1 9ZZ is the same postcode district, M1 1AA another.
"""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.search import SearchCriteria, child_search
from tests.journeys import signed_in


def test_a_child_who_moved_within_the_district_typed_is_a_near_miss_with_no_one_shown(world, child):
    outcome = child_search(criteria=SearchCriteria("Thornton", postcode="LS1 9ZZ"), fetched_by=world.alice)
    assert outcome.results == [] and outcome.too_many is False
    assert outcome.near_miss is True


def test_a_search_whose_only_candidate_lives_in_another_district_finds_no_one(world, child):
    outcome = child_search(criteria=SearchCriteria("Thornton", postcode="M1 1AA"), fetched_by=world.alice)
    assert outcome.results == [] and outcome.near_miss is False


def test_a_shielded_child_never_makes_a_near_miss_through_its_address(world, shielded_child):
    for postcode in ("LS6 9ZZ", "LS6 2QZ", "LS6 2QT"):
        outcome = child_search(criteria=SearchCriteria("Okafor", postcode=postcode), fetched_by=world.alice)
        assert outcome.results == [] and outcome.near_miss is False, postcode


def test_a_near_miss_is_audited_as_one_with_no_result_ids(world, child):
    child_search(criteria=SearchCriteria("Thornton", postcode="LS1 9ZZ"), fetched_by=world.alice)
    event = AuditEvent.objects.get(tag=AuditTag.SearchPerformed)
    assert event.additional["near_miss"] is True
    assert event.additional["result_ids"] == [] and event.additional["too_many"] is False


def test_the_results_page_says_no_close_match_and_asks_for_more_detail(world, child):
    response = signed_in(world.alice).post(
        reverse("children:search"), {"family_name": "Thornton", "postcode": "LS1 9ZZ"}, follow=True
    )
    page = response.content.decode()
    assert "No close match" in page
    assert "This does not mean no one else is working with this child" in page
    assert "No children found" not in page
    assert "Amelia" not in page


def test_the_results_page_says_no_children_found_when_nothing_was_near(world, child):
    response = signed_in(world.alice).post(
        reverse("children:search"), {"family_name": "Thornton", "postcode": "M1 1AA"}, follow=True
    )
    page = response.content.decode()
    assert "No children found" in page and "No close match" not in page


def test_the_activity_report_describes_a_near_miss_without_its_criteria(world, child):
    from reports.reports import report_rows, user_activity

    child_search(criteria=SearchCriteria("Thornton", postcode="LS1 9ZZ"), fetched_by=world.bob)
    rows = report_rows(
        events=user_activity(subject=world.bob, fetched_by=world.nadia), fetched_by=world.nadia
    )
    assert [r.note for r in rows] == ["No close match: none shown"]


def test_a_shielded_childs_address_never_changes_the_answer_whatever_postcode_is_typed(world, shielded_child):
    """Found by her names, a shielded child is scored without her address: typing her own postcode, one
    in her district or one far away must give the same answer, so the answer says nothing of where she lives.
    """
    answers = set()
    for postcode in ("LS6 2QT", "LS6 9ZZ", "M1 1AA"):
        outcome = child_search(
            criteria=SearchCriteria("Okafor", given_name="Jasmine", postcode=postcode), fetched_by=world.alice
        )
        answers.add((tuple(r.child.pk for r in outcome.results), outcome.too_many, outcome.near_miss))
    assert len(answers) == 1
