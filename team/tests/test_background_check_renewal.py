"""The LA team (and the system administrator, for national accounts) records a renewed enhanced
background check.

`User.background_check_on` was written only at invitation, so every account was locked out for good at
its check's third anniversary (`accounts.vetting`: `background_check_lapsed`), and the "due to lapse"
list warned of something nobody could act on. The date typed is judged (a real date, not in the future,
not earlier than the one held, still current), written under the account's lock with the actor judged
again, and audited with the date as typed (about a practitioner, never a child).
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from access.http import Refused
from access.permissions import Permission
from accounts.models import Organisation, Role, User, background_check_lapses_on
from accounts.services import (
    ActorCannotAct,
    BackgroundCheckRecord,
    account_close,
    account_suspend,
    background_check_record,
    suspension_version,
)
from accounts.vetting import vetting_refusal
from audit.models import AuditEvent
from audit.tags import TAG_LABELS, AuditTag
from team.account_pages import still_theirs
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user

pytestmark = pytest.mark.django_db


def administrator(world) -> User:
    return make_user("simon", world.north, Role.SYSTEM_ADMIN)


HEADING = "Record a renewed enhanced background check"


def _parts(day: date) -> dict[str, str]:
    return {
        "background_check_day": str(day.day),
        "background_check_month": str(day.month),
        "background_check_year": str(day.year),
    }


def _lapsed(user: User) -> User:
    """`user`'s check taken back to one that lapsed yesterday."""
    today = timezone.localdate()
    checked = today.replace(year=today.year - 3) - timedelta(days=1)
    User.objects.filter(pk=user.pk).update(background_check_on=checked)
    return User.objects.select_related("organisation").get(pk=user.pk)


def _recorded(user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(tag=AuditTag.BackgroundCheckRecorded, additional__user_id=user.pk))


# The service


def test_a_renewed_check_lets_a_lapsed_account_in_again_and_is_audited_with_the_date_typed(world):
    today = timezone.localdate()
    alice = _lapsed(world.alice)
    assert vetting_refusal(alice, today) == "background_check_lapsed"
    held = alice.background_check_on

    assert (
        background_check_record(user=alice, checked_on=today, by=world.lena) is BackgroundCheckRecord.RECORDED
    )

    stored = User.objects.select_related("organisation").get(pk=alice.pk)
    assert stored.background_check_on == today
    assert vetting_refusal(stored, today) is None
    [event] = _recorded(alice)
    assert event.actor_id == world.lena.pk
    assert event.additional["background_check_on"] == today.isoformat()
    assert event.additional["previous"] == held.isoformat()
    assert TAG_LABELS[AuditTag.BackgroundCheckRecorded]


def test_a_date_earlier_than_the_one_held_changes_nothing(world):
    held = world.alice.background_check_on
    outcome = background_check_record(user=world.alice, checked_on=held - timedelta(days=1), by=world.lena)
    assert outcome is BackgroundCheckRecord.EARLIER_THAN_HELD
    assert User.objects.get(pk=world.alice.pk).background_check_on == held
    assert not _recorded(world.alice)


def test_the_date_already_held_changes_nothing_and_is_not_audited_again(world):
    held = world.alice.background_check_on
    outcome = background_check_record(user=world.alice, checked_on=held, by=world.lena)
    assert outcome is BackgroundCheckRecord.ALREADY_RECORDED
    assert not _recorded(world.alice)


@pytest.mark.parametrize("days", [1, 400])
def test_a_date_in_the_future_is_refused_by_the_service_too(world, days):
    with pytest.raises(ValueError):
        background_check_record(
            user=world.alice, checked_on=timezone.localdate() + timedelta(days=days), by=world.lena
        )
    assert not _recorded(world.alice)


def test_a_check_that_has_already_lapsed_is_refused_by_the_service_too(world):
    alice = _lapsed(world.alice)
    with pytest.raises(ValueError):
        background_check_record(user=alice, checked_on=alice.background_check_on, by=world.lena)
    assert not _recorded(alice)


def test_a_closed_account_takes_no_renewal(world):
    as_read = User.objects.get(pk=world.alice.pk)
    account_close(user=User.objects.get(pk=world.alice.pk), by=world.lena)
    outcome = background_check_record(user=as_read, checked_on=timezone.localdate(), by=world.lena)
    assert outcome is BackgroundCheckRecord.ACCOUNT_CLOSED
    assert not _recorded(world.alice)


def test_a_suspended_account_takes_the_renewal_and_stays_suspended(world):
    account_suspend(user=world.alice, by=world.lena, reason="Synthetic reason")
    today = timezone.localdate()
    assert background_check_record(user=world.alice, checked_on=today, by=world.lena)
    stored = User.objects.get(pk=world.alice.pk)
    assert stored.background_check_on == today and stored.suspended_at is not None


@pytest.mark.parametrize("how", ["suspended", "closed", "de_accredited", "lapsed"])
def test_an_actor_cut_off_since_their_page_checked_them_records_nothing(world, how):
    lena = User.objects.get(pk=world.lena.pk)  # the request's copy, read while she could act
    if how == "suspended":
        User.objects.filter(pk=lena.pk).update(suspended_at=timezone.now())
    elif how == "closed":
        User.objects.filter(pk=lena.pk).update(is_active=False)
    elif how == "de_accredited":
        Organisation.objects.filter(pk=world.north.pk).update(accredited_on=None)
    else:
        _lapsed(lena)
    held = world.alice.background_check_on
    with pytest.raises(ActorCannotAct):
        background_check_record(
            user=world.alice,
            checked_on=timezone.localdate(),
            by=lena,
            recheck=still_theirs(Permission.AccountManage),
        )
    assert User.objects.get(pk=world.alice.pk).background_check_on == held
    assert not _recorded(world.alice)


def test_an_account_moved_to_another_la_since_the_page_is_refused_under_the_lock(world):
    User.objects.filter(pk=world.alice.pk).update(organisation=world.south_gp)
    with pytest.raises(Refused):
        background_check_record(
            user=world.alice,
            checked_on=timezone.localdate(),
            by=world.lena,
            recheck=still_theirs(Permission.AccountManage),
        )
    assert not _recorded(world.alice)


# The LA team's page


def test_the_la_team_records_a_renewal_and_the_account_page_shows_the_new_date(world):
    today = timezone.localdate()
    alice = _lapsed(world.alice)
    client = signed_in(world.lena)
    path = reverse("team:background_check", args=[alice.pk])

    form_page = rendered(client.get(path), heading=HEADING)
    assert "Alice Example" in form_page
    assert 'name="background_check_day"' in form_page

    response = client.post(path, _parts(today), follow=True)

    page = rendered(response, heading="Alice Example")
    lapses = background_check_lapses_on(today)
    assert f"Enhanced background check recorded. It lapses on {lapses.day} {lapses:%B %Y}" in page
    assert User.objects.get(pk=alice.pk).background_check_on == today
    assert len(_recorded(alice)) == 1


def test_the_account_page_links_to_the_renewal(world):
    page = rendered(
        signed_in(world.lena).get(reverse("team:user", args=[world.alice.pk])), heading="Alice Example"
    )
    assert reverse("team:background_check", args=[world.alice.pk]) in page


def _due_to_lapse(client) -> str:
    page = client.get(reverse("team:users")).content.decode()
    return page.split('id="lapsing">', 1)[1].split("</ul>", 1)[0] if 'id="lapsing">' in page else ""


def test_a_renewal_takes_the_person_off_the_due_to_lapse_list(world):
    alice = _lapsed(world.alice)
    client = signed_in(world.lena)
    assert "Alice Example" in _due_to_lapse(client)

    client.post(reverse("team:background_check", args=[alice.pk]), _parts(timezone.localdate()))

    assert "Alice Example" not in _due_to_lapse(client)


def test_the_due_to_lapse_list_leads_to_the_account_page_that_offers_the_renewal(world):
    alice = _lapsed(world.alice)
    client = signed_in(world.lena)
    assert reverse("team:user", args=[alice.pk]) in _due_to_lapse(client)
    page = rendered(client.get(reverse("team:user", args=[alice.pk])), heading="Alice Example")
    assert "Record a renewed background check" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({}, "Enter the date of the enhanced background check"),
        ({"background_check_day": "4", "background_check_year": "2026"}, "must include a month"),
        (
            {"background_check_day": "31", "background_check_month": "4", "background_check_year": "2026"},
            "must be a real date",
        ),
        ("future", "must be today or in the past"),
        ("earlier", "This is earlier than the check already recorded"),
        ("same", "This date is already recorded: enter the date of the renewed check"),
        ("lapsed", "The enhanced background check must be from the last 3 years"),
    ],
)
def test_a_wrong_date_is_refused_in_plain_words_and_nothing_is_written(world, typed, message):
    today = timezone.localdate()
    alice = (
        _lapsed(world.alice) if typed == "lapsed" else world.alice
    )  # a lapsed date later than the one held
    held = alice.background_check_on
    data = (
        {
            "future": _parts(today + timedelta(days=1)),
            "earlier": _parts(held - timedelta(days=1)),
            "same": _parts(held),
            "lapsed": _parts(today.replace(year=today.year - 3)),
        }.get(typed)
        if isinstance(typed, str)
        else typed
    )
    client = signed_in(world.lena)

    response = client.post(reverse("team:background_check", args=[world.alice.pk]), data)

    page = rendered(response, heading=HEADING)
    assert message in page
    assert "govuk-error-summary" in page
    assert User.objects.get(pk=world.alice.pk).background_check_on == held
    assert not _recorded(world.alice)


def test_the_page_asks_for_a_recent_step_up_first(world):
    client = signed_in(world.lena, reauthenticated=False)
    path = reverse("team:background_check", args=[world.alice.pk])
    for response in (client.get(path), client.post(path, _parts(timezone.localdate()))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert not _recorded(world.alice)


# Who may not


def _refused(response, reason_words: str) -> None:
    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot do this" in page and reason_words in page


def test_a_practitioner_cannot_record_anyones_check(world):
    client = signed_in(world.bob)
    path = reverse("team:background_check", args=[world.alice.pk])
    _refused(client.post(path, _parts(timezone.localdate())), "Your role does not allow this")
    assert not _recorded(world.alice)


def test_another_las_team_cannot_record_a_check(world):
    sue = make_user("sue", world.south, Role.LA_TEAM)
    path = reverse("team:background_check", args=[world.alice.pk])
    _refused(
        signed_in(sue).post(path, _parts(timezone.localdate())), "This belongs to another local authority"
    )
    assert not _recorded(world.alice)


def test_an_la_team_member_cannot_record_their_own_check(world):
    path = reverse("team:background_check", args=[world.lena.pk])
    _refused(
        signed_in(world.lena).post(path, _parts(timezone.localdate())), "You cannot change your own account"
    )
    assert not _recorded(world.lena)


def test_an_la_team_cannot_record_a_colleagues_or_a_national_accounts_check(world):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    client = signed_in(world.lena)
    for subject in (leo, world.dara, world.nadia):
        response = client.post(
            reverse("team:background_check", args=[subject.pk]), _parts(timezone.localdate())
        )
        assert response.status_code == 403
        assert not _recorded(subject)


def test_a_team_member_suspended_after_signing_in_records_nothing(world):
    client = signed_in(world.lena)
    account_suspend(user=world.lena, by=None, reason="bulk_viewing")  # ends her sessions too
    held = world.alice.background_check_on
    path = reverse("team:background_check", args=[world.alice.pk])

    response = client.post(path, _parts(timezone.localdate()))

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert User.objects.get(pk=world.alice.pk).background_check_on == held
    assert not _recorded(world.alice)


def test_a_team_member_suspended_while_their_session_survived_is_refused_and_records_nothing(world):
    client = signed_in(world.lena)
    User.objects.filter(pk=world.lena.pk).update(suspended_at=timezone.now())
    held = world.alice.background_check_on

    response = client.post(
        reverse("team:background_check", args=[world.alice.pk]), _parts(timezone.localdate())
    )

    _refused(response, "suspended")
    assert User.objects.get(pk=world.alice.pk).background_check_on == held
    assert not _recorded(world.alice)


def test_a_closed_account_takes_no_renewal_from_the_page_and_says_so(world):
    client = signed_in(world.lena)
    account_close(user=world.alice, by=world.lena)
    response = client.post(
        reverse("team:background_check", args=[world.alice.pk]), _parts(timezone.localdate()), follow=True
    )
    page = rendered(response, heading="Alice Example")
    assert "This account is closed: nothing was changed" in page
    assert not _recorded(world.alice)


# The system administrator's national account pages


def test_the_administrator_records_an_la_team_members_renewal(world):
    admin = administrator(world)
    today = timezone.localdate()
    lena = _lapsed(world.lena)
    client = signed_in(admin)
    path = reverse("administration:account_background_check", args=[lena.pk])

    rendered(client.get(path), heading=HEADING)
    response = client.post(path, _parts(today), follow=True)

    page = rendered(response, heading="Lena Example")
    assert "Enhanced background check recorded" in page
    assert User.objects.get(pk=lena.pk).background_check_on == today
    [event] = _recorded(lena)
    assert event.actor_id == admin.pk


def test_the_administrator_cannot_record_a_practitioners_or_their_own_check(world):
    admin = administrator(world)
    client = signed_in(admin)
    for subject, words in (
        (world.alice, "looked after by its local authority&#x27;s ContactPoint team"),
        (admin, "You cannot"),
    ):
        path = reverse("administration:account_background_check", args=[subject.pk])
        _refused(client.post(path, _parts(timezone.localdate())), words)
        assert not _recorded(subject)


def test_a_suspension_version_is_untouched_by_a_renewal(world):
    account_suspend(user=world.alice, by=world.lena, reason="Synthetic reason")
    version = suspension_version(User.objects.get(pk=world.alice.pk))
    background_check_record(user=world.alice, checked_on=timezone.localdate(), by=world.lena)
    assert suspension_version(User.objects.get(pk=world.alice.pk)) == version
