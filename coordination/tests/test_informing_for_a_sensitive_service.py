"""After recording, the service tells the practitioner whom to tell, by the child's age: the parents or
carers, and from 12 the young person too. A sensitive service (sexual health, mental health, substance
misuse) is recorded only with consent, or where significant harm is suspected, and is hidden from every
ordinary practitioner so that nobody learns of it who was not meant to: the page told a sexual health
clinic nurse to tell a 14-year-old's parents. It now tells a sensitive service to tell only the person
who consented, and nobody else unless they agree or safeguarding procedures require it."""

from datetime import date

from django.urls import reverse

from coordination.tests.support import clinic_nurse, record
from tests.journeys import signed_in
from tests.personas import make_child

PARENTS = "Tell the child&#x27;s parents or carers"  # as the page escapes it
CONSENTED = "Tell only the person who agreed to it being recorded"


def _family_page(user, child) -> str:
    response = signed_in(user).get(reverse("coordination:inform_family", args=[child.pk]))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_sensitive_service_is_not_told_to_tell_a_young_persons_parents(world):
    teenager = make_child(world, given_names="Kai-Ren", date_of_birth=date(2012, 3, 1))
    sian = clinic_nurse(world)
    record(teenager, sian, role="Sexual health nurse")

    page = _family_page(sian, teenager)

    assert PARENTS not in page
    assert CONSENTED in page


def test_an_ordinary_service_is_still_told_to_tell_the_parents_and_the_young_person(world):
    teenager = make_child(world, given_names="Kai-Ren", date_of_birth=date(2012, 3, 1))
    record(teenager, world.alice)

    page = _family_page(world.alice, teenager)

    assert PARENTS + ", and the young person" in page
    assert CONSENTED not in page


def test_the_recording_page_says_a_sensitive_service_tells_only_whoever_consented(world, child):
    from tests.journeys import state_purpose

    client = signed_in(world.alice)
    state_purpose(client, child)
    page = client.get(reverse("children:involvement_new", args=[child.pk])).content.decode()
    assert "sensitive service" in page and "only the person who agreed to it being recorded" in page
