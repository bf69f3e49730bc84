"""Recording an involvement shows the duty to tell the family, by the child's age, and a leaflet."""

from datetime import date

import pytest
from django.urls import reverse

from coordination.informing import duty_to_inform
from coordination.tests.support import record
from tests.journeys import signed_in, state_purpose
from tests.personas import make_child

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("born", "parents", "young_person"),
    [
        (date(2015, 3, 4), True, False),  # 11
        (date(2014, 12, 3), True, False),  # 11, twelve tomorrow
        (date(2014, 12, 2), True, True),  # 12 today
        (date(2011, 1, 1), True, True),  # 15
        (date(2010, 12, 2), False, True),  # 16 today
        (date(2009, 5, 5), False, True),  # 17
    ],
)
def test_whom_to_tell_depends_on_the_childs_age(born, parents, young_person):
    duty = duty_to_inform(date_of_birth=born, today=TODAY)
    assert (duty.tell_parents, duty.tell_young_person) == (parents, young_person)


def test_the_recording_page_states_the_duty_and_offers_the_leaflet(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    page = client.get(reverse("children:involvement_new", args=[child.pk])).content.decode()
    assert "you must tell the child's parents or carers" in page
    assert reverse("coordination:leaflet") in page
    leaflet = client.get(reverse("coordination:leaflet"))
    assert (
        leaflet.status_code == 200
        and "information for children, young people and families" in leaflet.content.decode()
    )


def test_after_recording_the_page_for_this_child_says_whom_to_tell(world):
    # a hyphenated name: a random CSRF token (letters and digits) can never contain it by chance
    teenager = make_child(world, given_names="Kai-Ren", date_of_birth=date(2008, 1, 1))
    record(teenager, world.alice)
    page = (
        signed_in(world.alice).get(reverse("coordination:inform_family", args=[teenager.pk])).content.decode()
    )
    assert "Tell the young person" in page and "Kai-Ren" not in page


def test_the_family_page_is_for_a_practitioner_involved_with_the_child(world, child):
    response = signed_in(world.bob).get(reverse("coordination:inform_family", args=[child.pk]))
    assert response.status_code == 403
