"""Index number to name: the report lookup is scoped and audited, and the purpose page names a child
only to someone a search would have shown it to (pentest finding 4)."""

import re

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.personas import make_child


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def _lookup(client, number: str):
    return client.post(reverse("audit:index"), {"index_number": number})


def test_an_la_team_cannot_turn_another_las_index_number_into_a_child_id(world):
    southern = make_child(world, given_names="Zofia", family_name="Quennell", la=world.south)
    response = _lookup(signed_in(world.lena), southern.index_number)
    page = response.content.decode()
    assert response.status_code == 200
    assert "No record has that index number" in page
    assert str(southern.pk) not in page


def test_an_la_team_finds_its_own_child_by_index_number(world, child):
    response = _lookup(signed_in(world.lena), child.index_number)
    assert response.status_code == 303
    assert response["Location"] == reverse("audit:child_access", args=[child.pk])


def test_another_las_number_and_an_unknown_number_get_the_same_answer(world):
    southern = make_child(world, given_names="Zofia", family_name="Quennell", la=world.south)
    client = signed_in(world.lena)
    other = _without_tokens(_lookup(client, southern.index_number).content.decode())
    unknown = _without_tokens(_lookup(client, "00000000000000").content.decode())
    assert other.replace(southern.index_number, "N") == unknown.replace("00000000000000", "N")


def test_the_national_auditor_still_finds_any_child_by_index_number(world):
    southern = make_child(world, given_names="Zofia", family_name="Quennell", la=world.south)
    response = _lookup(signed_in(world.nadia), southern.index_number)
    assert response.status_code == 303
    assert response["Location"] == reverse("audit:child_access", args=[southern.pk])


def test_every_index_number_lookup_is_audited(world, child):
    southern = make_child(world, given_names="Zofia", family_name="Quennell", la=world.south)
    client = signed_in(world.lena)
    _lookup(client, child.index_number)
    _lookup(client, southern.index_number)
    _lookup(client, "00000000000000")
    events = list(AuditEvent.objects.filter(tag=AuditTag.ReportLookup, actor=world.lena).order_by("id"))
    assert [(e.child_id, e.additional["found"]) for e in events] == [
        (child.pk, True),
        (southern.pk, False),
        (None, False),
    ]
    assert all(e.additional["lookup"] == "index_number" for e in events)


def test_the_purpose_page_is_audited(world, child):
    signed_in(world.bob).get(reverse("children:purpose", args=[child.pk]))
    event = AuditEvent.objects.get(tag=AuditTag.PurposeAsked, actor=world.bob)
    assert event.child_id == child.pk
    assert event.additional["identified"] is False


def test_the_purpose_page_names_no_child_the_users_searches_never_returned(world, child):
    """Reached by id alone (e.g. from a URL), the page shows the index number, not the name."""
    page = signed_in(world.bob).get(reverse("children:purpose", args=[child.pk])).content.decode()
    assert "Amelia" not in page and "Thornton" not in page
    assert "Why are you looking at this record?" in page


def test_the_purpose_page_names_a_child_the_users_own_search_returned(world, child):
    client = signed_in(world.bob)
    client.post(
        reverse("children:search"),
        {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"},
    )
    page = client.get(reverse("children:purpose", args=[child.pk])).content.decode()
    assert "Amelia Thornton" in page
    assert AuditEvent.objects.get(tag=AuditTag.PurposeAsked, actor=world.bob).additional["identified"] is True


def test_the_purpose_page_names_the_child_to_the_owning_la_team(world, child):
    page = signed_in(world.lena).get(reverse("children:purpose", args=[child.pk])).content.decode()
    assert "Amelia Thornton" in page


def test_the_purpose_page_names_a_child_the_user_recorded_an_involvement_with(world, child):
    from children.records import InvolvementDetails
    from children.services import involvement_record

    details = InvolvementDetails(
        practitioner_name="Bob Example", role="GP", organisation_id=world.south_gp.pk
    )
    involvement_record(child=child, by=world.bob, details=details)
    page = signed_in(world.bob).get(reverse("children:purpose", args=[child.pk])).content.decode()
    assert "Amelia Thornton" in page


def test_a_username_lookup_outside_the_la_is_answered_as_unknown_and_audited(world):
    response = signed_in(world.lena).post(reverse("audit:index"), {"username": world.bob.username})
    assert response.status_code == 200
    assert "No account matches that name or username" in response.content.decode()
    event = AuditEvent.objects.get(tag=AuditTag.ReportLookup, actor=world.lena)
    assert event.additional == {**event.additional, "lookup": "username", "found": False}
