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
    response = client.post(reverse("children:search"), CRITERIA, follow=True)
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
        assert client.post(reverse("children:search"), CRITERIA).status_code == 303
    response = client.post(reverse("children:search"), CRITERIA)
    assert response.status_code == 429
    assert AuditEvent.objects.filter(tag=AuditTag.SearchThrottled, actor=world.alice).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).count() == 60
    assert signed_in(world.bob).post(reverse("children:search"), CRITERIA).status_code == 303


def test_the_search_page_accepts_a_partial_postcode_and_says_why_each_child_is_offered(world, child):
    criteria = {**CRITERIA, "family_name": "Thorntun", "postcode": "ls1"}
    page = signed_in(world.alice).post(reverse("children:search"), criteria, follow=True).content.decode()
    assert "Amelia Thornton" in page
    assert "Family name sounds the same, date of birth matches, same postcode district" in page


def test_the_search_page_accepts_gender_not_specified_with_a_given_name(world, child):
    criteria = {"family_name": "Thornton", "given_name": "Amelia", "gender": "not_specified"}
    page = signed_in(world.alice).post(reverse("children:search"), criteria, follow=True).content.decode()
    assert "Amelia Thornton" in page


def _age_today(born):
    from django.utils import timezone

    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def test_each_result_shows_the_town_the_local_authority_and_the_age_with_the_date_of_birth(world):
    from datetime import date

    from tests.personas import make_child

    make_child(world, given_names="Oliver", family_name="Smith", gender="male", town="Wetherby")
    make_child(world, given_names="Oliver", family_name="Smith", gender="male", town="Otley")
    criteria = {"family_name": "Smith", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
    page = signed_in(world.alice).post(reverse("children:search"), criteria, follow=True).content.decode()
    assert "2 children found" in page
    assert "Wetherby" in page and "Otley" in page
    assert page.count("Northshire Council") >= 2
    assert f"4 March 2015 (age {_age_today(date(2015, 3, 4))})" in page


def test_a_shielded_childs_town_never_appears_in_the_results_only_its_local_authority(world):
    from tests.personas import make_child

    make_child(world, given_names="Jasmine", family_name="Okafor", town="Harrowfold", shielded=True)
    criteria = {"family_name": "Okafor", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
    page = signed_in(world.alice).post(reverse("children:search"), criteria, follow=True).content.decode()
    assert "Jasmine Okafor" in page and "Address withheld" in page
    assert "Northshire Council" in page
    assert "Harrowfold" not in page
    assert "Quarry Lane" not in page
