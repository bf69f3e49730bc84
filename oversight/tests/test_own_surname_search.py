"""Own-surname searches (2009: users searched their own relatives) are flagged, alerted and audited."""

from django.core import mail
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.search import SearchCriteria, child_search
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user


def _search(client, family_name, **extra):
    data = {"family_name": family_name, "dob_day": "4", "dob_month": "3", "dob_year": "2015", **extra}
    return client.post(reverse("children:search"), data, follow=True)


def test_own_surname_search_raises_an_alert_for_the_searchers_own_la_team(
    world, django_capture_on_commit_callbacks
):
    make_child(world, family_name="Example")
    with django_capture_on_commit_callbacks(execute=True):  # the email goes out once the search commits
        response = _search(signed_in(world.alice), "Example")
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.OWN_SURNAME_SEARCH
    assert alert.local_authority == world.north
    assert alert.raised_by == world.alice
    assert alert.child_id is None
    assert [m.to for m in mail.outbox] == [[world.lena.email]]
    assert b"flagged for review" in response.content


def test_own_surname_search_still_runs_because_a_colleague_may_share_a_common_name(world):
    make_child(world, family_name="Example")
    response = _search(signed_in(world.alice), "Example")
    assert b"1 child found" in response.content


def test_own_surname_search_is_audited_with_ids_and_the_rule_name_only(world):
    _search(signed_in(world.alice), "Example")
    search = AuditEvent.objects.get(tag=AuditTag.SearchPerformed)
    flagged = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected)
    assert flagged.actor == world.alice
    assert flagged.additional == {
        "actor_role": "practitioner",
        "rule": "own_surname",
        "alert_id": Alert.objects.get().pk,
        "search_event_id": search.pk,
    }
    assert "EXAMPLE" not in str(flagged.additional).upper()


def test_the_alert_email_holds_no_personal_data(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _search(signed_in(world.alice), "Example")
    message = mail.outbox[0]
    for text in (message.subject, message.body):
        assert "Example" not in text
        assert "alice" not in text.lower()


def test_a_different_surname_raises_nothing(world, child):
    response = _search(signed_in(world.alice), "Thornton")
    page = rendered(response, heading="Find a child")
    assert str(child.pk) in page  # the search ran and found the child
    assert not Alert.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected).exists()
    assert "flagged for review" not in page


def test_a_part_of_the_searchers_hyphenated_name_is_detected(world):
    hana = make_user("hana", world.north_school, last_name="Example-Smith")
    _search(signed_in(hana), "Smith")
    assert Alert.objects.get().kind == AlertKind.OWN_SURNAME_SEARCH


def test_a_sound_alike_spelling_of_the_searchers_name_is_detected(world):
    theo = make_user("theo", world.north_school, last_name="Stevenson")
    outcome = child_search(
        criteria=SearchCriteria(family_name="Stephenson", postcode="LS1 4AB"), fetched_by=theo
    )
    assert outcome.flagged_for_review


def test_the_alert_goes_to_the_la_team_of_the_searchers_la_not_the_childs(
    world, django_capture_on_commit_callbacks
):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    make_child(world, family_name="Example")  # a North child
    with django_capture_on_commit_callbacks(execute=True):
        _search(signed_in(world.bob), "Example")  # bob works in South
    assert Alert.objects.get().local_authority == world.south
    assert [m.to for m in mail.outbox] == [[stella.email]]


def test_repeated_own_surname_searches_alert_each_time_but_never_suspend(world):
    client = signed_in(world.alice)
    for _ in range(4):
        assert _search(client, "Example").status_code == 200
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None
    assert Alert.objects.filter(kind=AlertKind.OWN_SURNAME_SEARCH).count() == 4
    assert AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected).count() == 4
