import pytest
from django.core.cache import cache
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in

CRITERIA = {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def test_the_search_page_lists_matches_without_criteria_in_the_url(world, child):
    client = signed_in(world.alice)
    response = client.post(reverse("children:search"), CRITERIA)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Amelia Thornton" in page
    assert reverse("children:purpose", args=[child.pk]) in page


def test_the_search_page_explains_the_minimum_criteria(world, child):
    response = signed_in(world.alice).post(reverse("children:search"), {"family_name": "Thornton"})
    assert "as well as the family name" in response.content.decode()
    assert not AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).exists()


def test_search_rate_limited_by_user(world, child):
    client = signed_in(world.alice)
    for _ in range(60):
        assert client.post(reverse("children:search"), CRITERIA).status_code == 200
    response = client.post(reverse("children:search"), CRITERIA)
    assert response.status_code == 429
    assert AuditEvent.objects.filter(tag=AuditTag.SearchThrottled, actor=world.alice).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).count() == 60
    assert signed_in(world.bob).post(reverse("children:search"), CRITERIA).status_code == 200


def test_the_search_page_accepts_a_partial_postcode_and_says_why_each_child_is_offered(world, child):
    criteria = {**CRITERIA, "family_name": "Thorntun", "postcode": "ls1"}
    page = signed_in(world.alice).post(reverse("children:search"), criteria).content.decode()
    assert "Amelia Thornton" in page
    assert "Family name sounds the same, date of birth matches, same postcode district" in page


def test_the_search_page_accepts_gender_not_specified_with_a_given_name(world, child):
    criteria = {"family_name": "Thornton", "given_name": "Amelia", "gender": "not_specified"}
    page = signed_in(world.alice).post(reverse("children:search"), criteria).content.decode()
    assert "Amelia Thornton" in page
