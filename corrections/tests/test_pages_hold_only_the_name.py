"""The pages where a practitioner raises a correction name the child and nothing more: a practitioner who
sees only the restricted view of a shielded record asks to correct its name, and the page held the whole
decrypted record (address, school, GP, NHS number), kept off the screen only by what the template printed."""

from django.urls import reverse

from tests.decryption import child_columns_decrypted
from tests.journeys import signed_in, state_purpose

NAME_ONLY = {"given_names", "family_name", "gender", "date_of_birth"}
LOCATION = ("LS6 2QT", "Quarry Lane", "943 476 5919")


def test_the_correction_pages_of_a_shielded_record_hold_only_who_the_child_is(world, shielded_child):
    client = signed_in(world.alice)
    state_purpose(client, shielded_child)
    for url in (
        reverse("corrections:choose", args=[shielded_child.pk]),
        reverse("corrections:propose", args=[shielded_child.pk, "family_name"]),
    ):
        response = client.get(url)
        assert response.status_code == 200 and "Jasmine Okafor" in response.content.decode()
        details = response.context["details"]
        assert not hasattr(details, "address") and not hasattr(details, "source_identifiers")
        for hidden in LOCATION:
            assert hidden not in repr(details)


def test_choosing_what_to_correct_decrypts_only_who_the_child_is(world, shielded_child, monkeypatch):
    client = signed_in(world.alice)
    state_purpose(client, shielded_child)
    read = child_columns_decrypted(monkeypatch)
    response = client.get(reverse("corrections:choose", args=[shielded_child.pk]))
    assert response.status_code == 200 and "Jasmine Okafor" in response.content.decode()
    assert set(read[shielded_child.pk]) <= NAME_ONLY, read[shielded_child.pk]
