"""The data manager's archive finder: one exact index number leads to the archived record's own page
(which asks why, and audits); anything else - unknown, live, another LA's, a wrong role - finds nothing.
"""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.index_number import formatted, is_valid
from children.models import Child
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import events, move_to
from lifecycle.views import NOT_FOUND
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user

FIND = reverse("lifecycle:archive_find")
HEADING = "Find an archived record"


@pytest.fixture
def archived(world, child, clock):
    move_to(clock, date(2033, 3, 4))  # Amelia's 18th birthday: the daily job archives her
    lifecycle_run()
    return Child.objects.get(pk=child.pk)


def _find(user: User, number: str):
    return signed_in(user).post(FIND, {"index_number": number}, follow=True)


def _lookups() -> list[AuditEvent]:
    return events(AuditTag.ArchiveLookup)


def _recorded(event: AuditEvent) -> dict:
    """What the look-up event adds to the standard fields (the actor's role is on every event)."""
    return {k: v for k, v in event.additional.items() if k != "actor_role"}


def _not_found(response) -> str:
    page = rendered(response, heading=HEADING)
    assert "<title>Error: Find an archived record - ContactPoint</title>" in page
    assert NOT_FOUND in page
    assert response.redirect_chain == []
    return page


def test_the_data_managers_home_links_to_the_archive_finder(world):
    page = rendered(signed_in(world.dara).get(reverse("data_quality")), heading="Records needing correction")
    assert f'href="{FIND}" id="archive-find">Find an archived record</a>' in page


def test_the_finder_asks_for_one_index_number_and_says_the_archive_cannot_be_browsed(world):
    page = rendered(signed_in(world.dara).get(FIND), heading=HEADING)
    assert 'name="index_number"' in page
    assert "You cannot browse the archive or search it by name" in page
    assert "Northshire Council" in page
    assert _lookups() == []  # only a look-up is recorded, not opening the form


def test_a_data_manager_finds_an_archived_record_and_is_asked_why_before_it_opens(world, archived):
    response = _find(world.dara, formatted(archived.index_number))  # as written on screen, with spaces
    record_page = reverse("lifecycle:archived_record", args=[archived.pk])
    assert response.redirect_chain == [(record_page, 303)]
    page = rendered(response, heading="Why are you opening this archived record?")
    assert "statutory-warning" not in page and 'name="statutory_reason"' not in page
    assert "Thornton" not in page  # nothing of the record until the purpose is given
    [lookup] = _lookups()
    assert (lookup.actor, lookup.child_id, _recorded(lookup)) == (world.dara, archived.pk, {"found": True})
    assert events(AuditTag.ArchivedRecordViewed) == []


def test_a_record_archived_more_than_a_year_ago_is_found_but_asks_for_the_statutory_reason(
    world, archived, clock
):
    move_to(clock, date(2034, 3, 4))
    today = timezone.localdate()
    User.objects.filter(pk=world.dara.pk).update(background_check_on=today, training_completed_on=today)
    response = _find(User.objects.get(pk=world.dara.pk), archived.index_number)
    page = rendered(response, heading="Why are you opening this archived record?")
    assert 'id="statutory-warning"' in page and 'name="statutory_reason"' in page
    assert [e.child_id for e in _lookups()] == [archived.pk]


def test_an_unknown_index_number_is_not_found_and_the_look_up_is_audited_without_the_number(world, archived):
    unknown = next(f"123456789{d}" for d in range(10) if is_valid(f"123456789{d}"))
    assert not Child.objects.filter(index_number=unknown).exists()
    _not_found(_find(world.dara, unknown))
    [lookup] = _lookups()
    assert (lookup.actor, lookup.child_id, _recorded(lookup)) == (world.dara, None, {"found": False})
    assert unknown not in str(lookup.additional)


def test_a_live_record_answers_exactly_like_no_record(world, child):
    """The finder opens the archive only: it cannot confirm that a live index number exists."""
    _not_found(_find(world.dara, child.index_number))
    [lookup] = _lookups()
    assert (lookup.child_id, _recorded(lookup)) == (None, {"found": False})


def test_another_las_data_manager_finds_nothing(world, archived):
    southern = make_user("dominic", world.south, Role.DATA_MANAGER)
    _not_found(_find(southern, archived.index_number))
    [lookup] = _lookups()
    assert (lookup.actor, lookup.child_id, _recorded(lookup)) == (southern, None, {"found": False})
    assert not AuditEvent.objects.filter(actor=southern, child_id=archived.pk).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter an index number"),
        ("12345", "Index number must be 10 digits, like 123 456 7890"),
        ("12345abcde", "Index number must be 10 digits, like 123 456 7890"),
    ],
)
def test_a_missing_or_malformed_index_number_is_not_looked_up(world, archived, typed, message):
    page = rendered(_find(world.dara, typed), heading=HEADING)
    assert message in page and "Error: Find an archived record" in page
    assert _lookups() == []


def test_a_mistyped_index_number_is_caught_by_its_check_digit_and_not_looked_up(world, archived):
    number = archived.index_number
    swapped = next(
        number[:i] + number[i + 1] + number[i] + number[i + 2 :]
        for i in range(9)
        if number[i] != number[i + 1]
    )
    page = rendered(_find(world.dara, swapped), heading=HEADING)
    assert "Check the index number: one digit is wrong, or two digits are the wrong way round" in page
    assert _lookups() == []


@pytest.mark.parametrize("persona", ["alice", "olivia", "lena", "nadia"])
def test_every_other_role_is_refused_the_finder_even_with_a_real_archived_index_number(
    world, archived, persona
):
    user = getattr(world, persona)
    client = signed_in(user)
    for response in (client.get(FIND), client.post(FIND, {"index_number": archived.index_number})):
        assert response.status_code == 403
        assert "Your role does not allow this." in response.content.decode()
    assert _lookups() == []
    refusals = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=user)
    assert [(e.child_id, e.additional["reason"]) for e in refusals] == [(None, "role_not_permitted")] * 2


def test_a_suspended_data_manager_is_refused_and_looks_nothing_up(world, archived):
    client = signed_in(world.dara)
    User.objects.filter(pk=world.dara.pk).update(suspended_at=timezone.now())
    response = client.post(FIND, {"index_number": archived.index_number})
    assert response.status_code == 403
    assert "Your account is suspended." in response.content.decode()
    assert _lookups() == [] and events(AuditTag.ArchivedRecordViewed) == []


def test_a_data_manager_whose_training_lapsed_is_sent_to_the_course_and_looks_nothing_up(world, archived):
    User.objects.filter(pk=world.dara.pk).update(training_completed_on=date(2030, 1, 1))
    response = signed_in(User.objects.get(pk=world.dara.pk)).post(
        FIND, {"index_number": archived.index_number}
    )
    assert response.status_code == 302 and response["Location"] == reverse("training:course")
    assert _lookups() == []


def test_the_finder_selects_archived_records_only(world, archived):
    from lifecycle.finding import archived_child

    live = make_child(world, given_names="Oscar", date_of_birth=date(2020, 1, 1))
    assert archived_child(index_number=archived.index_number) == archived
    assert archived_child(index_number=live.index_number) is None
