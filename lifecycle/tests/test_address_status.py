"""The owning LA team records an address, "no known address", or "left England" with the intention."""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import BlockingKeyEntry
from children.selectors import child_details
from tests.journeys import signed_in, state_purpose
from tests.other_la import main_of
from tests.pages import headings
from tests.personas import make_child

OLD_LINE = "12 Quarry Lane"


def _refusal(response) -> str:
    page = response.content.decode()
    marker = 'data-reason="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def _record_page(client, child) -> str:
    state_purpose(client, child)
    return client.get(reverse("children:record", args=[child.pk])).content.decode()


def _found_by(client, **criteria) -> str:
    response = client.post(reverse("children:search"), criteria, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_no_known_address_replaces_the_address_on_the_record_page_and_is_audited(world):
    child = make_child(world)
    lena = signed_in(world.lena)
    page = lena.get(reverse("moves:address", args=[child.pk])).content.decode()
    assert headings(page) == ["Where does the child live?"]
    response = lena.post(reverse("moves:address", args=[child.pk]), {"status": "none"})
    assert response.status_code == 302 and response["Location"] == reverse("children:record", args=[child.pk])
    shown = _record_page(signed_in(world.alice), child)
    address = shown[shown.index('id="address"') :][:300]
    assert "No known address" in address
    assert OLD_LINE not in shown and "LS1 4AB" not in shown
    event = AuditEvent.objects.get(tag=AuditTag.AddressStatusRecorded)
    assert (event.child_id, event.actor_id) == (child.pk, world.lena.pk)
    assert event.additional == {"actor_role": "la_team", "columns": ["address"]}  # no statement in clear


def test_left_england_shows_the_intention_to_return_on_the_record_page(world):
    child = make_child(world)
    response = signed_in(world.lena).post(
        reverse("moves:address", args=[child.pk]),
        {"status": "left_england", "return_intention": "does_not_intend"},
    )
    assert response.status_code == 302
    shown = _record_page(signed_in(world.alice), child)
    assert "Left England. Does not intend to return" in shown
    assert OLD_LINE not in shown


def test_left_england_needs_the_intention_and_an_address_needs_a_real_postcode(world):
    child = make_child(world)
    lena = signed_in(world.lena)
    url = reverse("moves:address", args=[child.pk])
    page = lena.post(url, {"status": "left_england"}).content.decode()
    assert "<title>Error: Where does the child live? - ContactPoint</title>" in page
    assert "Select whether the child intends to return to England" in page
    page = lena.post(
        url, {"status": "known", "line_1": "3 New Row", "town": "Leeds", "postcode": "NOT A CODE"}
    ).content.decode()
    assert "Enter a real postcode, like SW1A 1AA" in page
    assert child_details(child).address.postcode == "LS1 4AB"
    assert not AuditEvent.objects.filter(tag=AuditTag.AddressStatusRecorded).exists()


def test_a_new_address_is_found_by_its_postcode_and_the_old_one_as_a_previous_address(world):
    child = make_child(world)
    response = signed_in(world.lena).post(
        reverse("moves:address", args=[child.pk]),
        {"status": "known", "line_1": "3 New Row", "town": "Harrogate", "postcode": "hg1 2ab"},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child_details(child).address.lines == ["3 New Row", "Harrogate"]
    alice = signed_in(world.alice)
    by_new = _found_by(alice, family_name="Thornton", postcode="HG1 2AB")
    assert "Amelia Thornton" in by_new and "previous address" not in by_new
    by_old = _found_by(alice, family_name="Thornton", postcode="LS1 4AB")
    assert (
        "Amelia Thornton" in by_old and "Family name matches, postcode matches a previous address" in by_old
    )
    assert OLD_LINE not in by_old


def test_a_child_with_no_known_address_is_found_by_the_old_postcode_as_a_previous_address(world):
    child = make_child(world)
    alice = signed_in(world.alice)
    assert "Amelia Thornton" in _found_by(alice, family_name="Thornton", postcode="LS1 4AB")
    keys_before = set(BlockingKeyEntry.objects.filter(child=child).values_list("digest", "hidden"))
    signed_in(world.lena).post(reverse("moves:address", args=[child.pk]), {"status": "none"})
    keys_after = set(BlockingKeyEntry.objects.filter(child=child).values_list("digest", "hidden"))
    assert keys_after == keys_before  # the old postcode is kept as a former one, under the same hidden keys
    page = _found_by(alice, family_name="Thornton", postcode="LS1 4AB")
    assert "Amelia Thornton" in page and "postcode matches a previous address" in page
    assert "Amelia Thornton" in _found_by(
        alice, family_name="Thornton", dob_day="4", dob_month="3", dob_year="2015"
    )


def test_a_shielded_child_who_moved_is_never_found_by_the_old_postcode(world):
    child = make_child(world, given_names="Jasmine", family_name="Okafor", postcode="LS6 2QT", shielded=True)
    signed_in(world.lena).post(
        reverse("moves:address", args=[child.pk]),
        {"status": "known", "line_1": "3 New Row", "town": "Harrogate", "postcode": "HG1 2AB"},
    )
    alice = signed_in(world.alice)
    for postcode in ("LS6 2QT", "HG1 2AB"):
        assert "Jasmine Okafor" not in _found_by(alice, family_name="Okafor", postcode=postcode)


def test_a_shielded_childs_statement_is_not_shown_to_practitioners(world):
    child = make_child(world, given_names="Jasmine", family_name="Okafor", postcode="LS6 2QT", shielded=True)
    signed_in(world.lena).post(
        reverse("moves:address", args=[child.pk]), {"status": "left_england", "return_intention": "unknown"}
    )
    shown = _record_page(signed_in(world.alice), child)
    assert "Left England" not in shown and "Intention to return" not in shown
    own_team = _record_page(signed_in(world.lena), child)
    assert "Left England. Intention to return not known" in own_team


def test_only_the_owning_la_team_records_the_address_status(world):
    child = make_child(world)
    south = make_child(world, la=world.south)
    lena = signed_in(world.lena)
    response = lena.post(reverse("moves:address", args=[south.pk]), {"status": "none"})
    # by id alone: refused, and told nothing of the child (review, session 37)
    assert response.status_code == 403 and _refusal(response) == "not_found_by_search"
    assert world.south.name not in main_of(response)
    assert child_details(south).address.status == "known"
    for person in (world.alice, world.olivia, world.dara, world.nadia):
        response = signed_in(person).post(reverse("moves:address", args=[child.pk]), {"status": "none"})
        assert response.status_code == 403 and _refusal(response) == "role_not_permitted"
    assert child_details(child).address.status == "known"
    assert not AuditEvent.objects.filter(tag=AuditTag.AddressStatusRecorded).exists()


def test_the_record_page_offers_the_moves_only_to_the_owning_la_team(world):
    child = make_child(world)
    team_page = _record_page(signed_in(world.lena), child)
    assert reverse("moves:address", args=[child.pk]) in team_page
    assert reverse("moves:transfer_new", args=[child.pk]) in team_page
    assert reverse("moves:new_identity", args=[child.pk]) in team_page
    practitioner_page = _record_page(signed_in(world.alice), child)
    assert 'id="moves"' not in practitioner_page and "/moves/" not in practitioner_page
