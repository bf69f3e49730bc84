"""A child's id alone tells a person who may not identify the child (no search of theirs returned it, they
never recorded an involvement with it, it is not their LA team's child) nothing about it: not which LA holds
it, not that it is shielded, not that it was archived or closed for a new identity (review, session 37).

Ids leak (addresses, the audit look-up): the purpose page already names a child only to whom the policy
lets identify it (`ChildIdentify`). The refusal pages of the record's other pages came before any purpose
was asked and said the policy's reason ("This record is shielded", "belongs to Northshire Council"), and
a closed record's id answered "This record has been closed" where an id that never existed answers 404.

Now, to someone who may not identify the child: the change pages ask why first, whatever the record; a
refusal says only "Find this child with a search first" and points to their own LA team; a record that is
not active answers as an id that never existed. Whoever may identify it keeps the specific reason and is
told whom to ask. Each refusal is audited as before, with the child and the real reason.
"""

import uuid
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.search import SearchCriteria, child_search
from tests.journeys import involved, signed_in, state_purpose
from tests.other_la import main_of, reason_of
from tests.personas import make_user

HOLDING_LA = "Northshire Council"
DOB = date(2015, 3, 4)  # both fixtures' children
NOT_IDENTIFIED = "Find this child with a search first."
CHANGE_PAGES = ["children:involvement_new", "children:caf", "children:lead_professional"]
OVERRIDE = {"reason": "Child reported missing tonight", "understood": "on"}


def _get(client: Client, url_name: str, child_id: uuid.UUID):
    return client.get(reverse(url_name, args=[child_id]))


@pytest.mark.parametrize("url_name", CHANGE_PAGES)
def test_the_change_pages_ask_why_first_whether_or_not_the_child_is_shielded(
    world, child, shielded_child, url_name
):
    client = signed_in(world.bob)  # a GP in another LA: never searched, never involved
    for each in (child, shielded_child):
        response = _get(client, url_name, each.pk)
        assert response.status_code == 302
        assert response["Location"] == reverse("children:purpose", args=[each.pk])
    assert not AuditEvent.objects.filter(tag=AuditTag.AccessDenied).exists()


@pytest.mark.parametrize("url_name", CHANGE_PAGES)
def test_a_refusal_names_neither_the_la_nor_the_shielding_to_someone_who_may_not_identify_the_child(
    world, shielded_child, url_name
):
    client = signed_in(world.bob)
    state_purpose(client, shielded_child)
    response = _get(client, url_name, shielded_child.pk)
    assert response.status_code == 403
    page = main_of(response)
    assert NOT_IDENTIFIED in page
    assert "shielded" not in page.lower()
    assert HOLDING_LA not in page and "This record belongs to" not in page
    assert "Southborough Council" in page  # whom to ask: his own LA team
    event = AuditEvent.objects.get(tag=AuditTag.AccessDenied)
    assert event.child_id == shielded_child.pk and event.additional["reason"] == "shielded"


def test_the_refusal_is_the_same_page_for_a_shielded_and_an_unshielded_child(world, child, shielded_child):
    client = signed_in(world.bob)
    pages = []
    for each in (child, shielded_child):
        state_purpose(client, each)
        response = _get(client, "children:caf", each.pk)
        assert response.status_code == 403 and reason_of(response) == "not_found_by_search"
        pages.append(main_of(response))
    assert pages[0] == pages[1]
    reasons = AuditEvent.objects.filter(tag=AuditTag.AccessDenied).order_by("id")
    assert [e.additional["reason"] for e in reasons] == ["not_involved", "shielded"]


def test_someone_whose_search_found_the_child_is_told_why_and_whom_to_ask(world, shielded_child):
    child_search(criteria=SearchCriteria("Okafor", date_of_birth=DOB), fetched_by=world.bob)
    response = _get(signed_in(world.bob), "children:involvement_new", shielded_child.pk)
    assert response.status_code == 403
    page = main_of(response)
    assert "This record is shielded" in page
    assert f"This record belongs to {HOLDING_LA}, not your local authority." in page


def test_a_practitioner_involved_with_the_child_is_told_it_is_shielded(world, child):
    involved(world.alice, child)
    Child.objects.filter(pk=child.pk).update(shielded=True)
    response = _get(signed_in(world.alice), "children:caf", child.pk)
    assert response.status_code == 403 and reason_of(response) == "shielded"
    assert "This record is shielded" in main_of(response)


def test_emergency_access_by_id_alone_asks_the_reason_whether_or_not_the_record_is_shielded(
    world, child, shielded_child
):
    client = signed_in(world.olivia)  # an override holder in another LA, who never searched
    shielded = _get(client, "children:override", shielded_child.pk)
    ordinary = _get(client, "children:override", child.pk)
    assert shielded.status_code == ordinary.status_code == 200
    assert main_of(shielded) == main_of(ordinary)
    assert not AuditEvent.objects.filter(tag=AuditTag.AccessDenied).exists()


def test_emergency_access_to_an_unshielded_record_by_id_alone_is_refused_without_saying_why(world, child):
    response = signed_in(world.olivia).post(reverse("children:override", args=[child.pk]), OVERRIDE)
    assert response.status_code == 403
    page = main_of(response)
    assert NOT_IDENTIFIED in page and "not shielded" not in page and HOLDING_LA not in page
    assert not AuditEvent.objects.filter(tag=AuditTag.ShieldOverridden).exists()
    event = AuditEvent.objects.get(tag=AuditTag.AccessDenied)
    assert event.child_id == child.pk and event.additional["reason"] == "not_shielded"


def test_an_override_holder_who_found_the_child_is_still_told_it_is_not_shielded(world, child):
    child_search(criteria=SearchCriteria("Thornton", date_of_birth=DOB), fetched_by=world.olivia)
    response = _get(signed_in(world.olivia), "children:override", child.pk)
    assert response.status_code == 403
    assert "This record is not shielded" in main_of(response)


# Every page of a record, and who may use it without being the record's LA team.
RECORD_PAGES = {
    "bob": ["children:purpose", "children:record", *CHANGE_PAGES],
    "olivia": ["children:purpose", "children:record", *CHANGE_PAGES, "children:override"],
    "stella": ["children:purpose", "children:record", "children:caf", "children:lead_professional"],
}


def _stella(world):
    return make_user("stella", world.south, Role.LA_TEAM)


@pytest.mark.parametrize("status", [RecordStatus.CLOSED, RecordStatus.ARCHIVED])
@pytest.mark.parametrize("persona", sorted(RECORD_PAGES))
def test_a_record_no_longer_active_answers_as_an_id_that_never_existed(world, child, status, persona):
    """Closed for a new identity (adoption, protection) or archived: to whoever may not identify it, the old
    id answers as a made-up one (404, the same page), so a kept id never tells that the child was given a
    new identity, turned 18 or died. Each refusal is still audited, with the child and the real reason."""
    user = _stella(world) if persona == "stella" else getattr(world, persona)
    Child.objects.filter(pk=child.pk).update(status=status)
    client = signed_in(user)
    for url_name in RECORD_PAGES[persona]:
        real, made_up = _get(client, url_name, child.pk), _get(client, url_name, uuid.uuid4())
        assert (real.status_code, made_up.status_code) == (404, 404), url_name
        assert main_of(real) == main_of(made_up), url_name
        assert "has been closed" not in main_of(real) and "archived. Only" not in main_of(real)
    events = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, child_id=child.pk)
    assert events.count() == len(RECORD_PAGES[persona])
    assert {e.additional["reason"] for e in events} == {status}


def test_an_old_id_answers_a_practitioner_once_involved_as_an_id_that_never_existed(world, child):
    """Who worked with the child under its former identity is who may have kept the id: the closure is
    the new identity's secret, told to the LA team that holds the record alone."""
    involved(world.alice, child)
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    client = signed_in(world.alice)
    real, made_up = _get(client, "children:purpose", child.pk), _get(client, "children:purpose", uuid.uuid4())
    assert (real.status_code, made_up.status_code) == (404, 404)
    assert main_of(real) == main_of(made_up)


def test_the_la_team_holding_a_closed_record_is_still_told_it_was_closed(world, child):
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    response = _get(signed_in(world.lena), "children:purpose", child.pk)
    assert response.status_code == 403
    assert "This record has been closed." in main_of(response)


def test_a_practitioner_involved_with_an_archived_child_is_told_it_was_archived(world, child):
    involved(world.alice, child)
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    response = _get(signed_in(world.alice), "children:purpose", child.pk)
    assert response.status_code == 403
    assert "This record has been archived. Only a data manager can open it." in main_of(response)


def test_ending_an_involvement_by_ids_tells_someone_who_may_not_identify_the_child_nothing(world, child):
    """The end page takes the child's id and an involvement's: refused, the same words as anywhere; the
    child closed since, the same page as ids that never existed."""
    involved(world.alice, child)
    involvement = child.involvements.get()
    client = signed_in(world.bob)
    url = reverse("children:involvement_end", args=[child.pk, involvement.pk])
    refused = client.get(url)
    assert refused.status_code == 403 and reason_of(refused) == "not_found_by_search"
    assert HOLDING_LA not in main_of(refused)
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    answers = [
        client.get(reverse("children:involvement_end", args=ids))
        for ids in [(child.pk, involvement.pk), (child.pk, uuid.uuid4()), (uuid.uuid4(), uuid.uuid4())]
    ]
    assert [a.status_code for a in answers] == [404] * 3
    assert len({main_of(a) for a in answers}) == 1
