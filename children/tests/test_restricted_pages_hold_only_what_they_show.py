"""A page that may show only who a child is holds nothing more, decrypted or in its template.

The restricted view of a shielded record shows name, gender, date of birth and index number; the purpose
page, asked before any record is opened, shows the name. Both decrypted the whole record and handed it
to the template (address, school, GP, NHS number): only what the template chose to print kept a shielded
child's location off the page, and the decrypted address sat in memory for a page that never needs it.
"""

from datetime import date

from django.urls import reverse

from children.search import SearchCriteria, child_search
from tests.decryption import child_columns_decrypted
from tests.journeys import signed_in, state_purpose
from tests.pages import rendered

SHOWN = {"given_names", "family_name", "gender", "date_of_birth"}
LOCATION = ("LS6 2QT", "Quarry Lane", "943 476 5919")


def _held(context_value: object) -> str:
    return repr(context_value)


def test_the_restricted_view_of_a_shielded_record_decrypts_and_holds_only_what_it_shows(
    world, shielded_child, monkeypatch
):
    client = signed_in(world.alice)
    state_purpose(client, shielded_child)
    read = child_columns_decrypted(monkeypatch)

    response = client.get(reverse("children:record", args=[shielded_child.pk]))

    rendered(response, heading="Jasmine Okafor")
    details = response.context["details"]
    assert details.given_names == "Jasmine" and details.date_of_birth == date(2015, 3, 4)
    for hidden in LOCATION:
        assert hidden not in _held(details)
    assert not hasattr(details, "address") and not hasattr(details, "educational_setting")
    assert set(read[shielded_child.pk]) <= SHOWN


def test_the_purpose_page_decrypts_and_holds_only_the_name_of_a_shielded_child_it_names(
    world, shielded_child, monkeypatch
):
    child_search(
        criteria=SearchCriteria("Okafor", given_name="Jasmine", date_of_birth=date(2015, 3, 4)),
        fetched_by=world.alice,
    )
    client = signed_in(world.alice)
    read = child_columns_decrypted(monkeypatch)

    response = client.get(reverse("children:purpose", args=[shielded_child.pk]))

    page = response.content.decode()
    assert response.status_code == 200 and "Jasmine Okafor" in page
    details = response.context["details"]
    for hidden in LOCATION:
        assert hidden not in _held(details)
    assert not hasattr(details, "address") and not hasattr(details, "source_identifiers")
    assert set(read[shielded_child.pk]) <= SHOWN
