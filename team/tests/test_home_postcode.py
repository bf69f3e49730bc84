"""The LA team records a practitioner's home postcode for the own-address misuse rule: a token only."""

from django.db import connection
from django.urls import reverse

from accounts.home_postcode import home_postcode_token
from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.pages import rendered


def _record(client, user, **data):
    return client.post(reverse("team:home_postcode", args=[user.pk]), data, follow=True)


def test_the_la_team_records_a_home_postcode_and_the_page_says_so_without_showing_it(world):
    page = rendered(_record(signed_in(world.lena), world.alice, postcode="ls1  4ab"), heading="Alice Example")
    world.alice.refresh_from_db()
    assert world.alice.home_postcode_token == home_postcode_token("LS1 4AB")
    assert "Home postcode recorded." in page
    assert "Recorded on" in page
    assert "LS1 4AB" not in page.upper() and "LS1  4AB" not in page.upper()  # never shown back


def test_only_a_token_of_the_postcode_is_stored_anywhere_in_the_users_row(world):
    _record(signed_in(world.lena), world.alice, postcode="LS1 4AB")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {User._meta.db_table} WHERE id = %s", [world.alice.pk])  # noqa: S608
        row = cursor.fetchone()
    stored = " ".join(str(value) for value in row).upper().replace(" ", "")
    assert "LS14AB" not in stored
    assert home_postcode_token("LS1 4AB") in " ".join(str(value) for value in row)


def test_recording_and_removing_are_audited_without_the_postcode(world):
    client = signed_in(world.lena)
    _record(client, world.alice, postcode="LS1 4AB")
    page = rendered(_record(client, world.alice, remove="yes"), heading="Alice Example")
    recorded = AuditEvent.objects.get(tag=AuditTag.HomePostcodeRecorded)
    removed = AuditEvent.objects.get(tag=AuditTag.HomePostcodeRemoved)
    for event in (recorded, removed):
        assert event.actor == world.lena
        assert event.additional["user_id"] == world.alice.pk
        assert "LS1" not in str(event.additional).upper()
    world.alice.refresh_from_db()
    assert world.alice.home_postcode_token == "" and world.alice.home_postcode_recorded_on is None
    assert "Home postcode removed." in page
    assert "Not recorded: searches at their own address cannot be flagged" in page


def test_a_partial_or_malformed_postcode_is_refused_with_a_clear_error_and_nothing_stored(world):
    client = signed_in(world.lena)
    for typed in ("LS1 4", "LS1", "not a postcode", ""):
        page = rendered(_record(client, world.alice, postcode=typed), heading="Alice Example")
        expected = "Enter their home postcode" if not typed else "Enter a full postcode, like LS1 4AB"
        assert f'<a href="#id_postcode">{expected}</a>' in page
        assert "<title>Error: " in page
    world.alice.refresh_from_db()
    assert world.alice.home_postcode_token == ""
    assert not AuditEvent.objects.filter(tag=AuditTag.HomePostcodeRecorded).exists()


def test_a_practitioner_cannot_record_anyones_home_postcode(world):
    response = _record(signed_in(world.alice), world.alice, postcode="LS1 4AB")
    assert response.status_code == 403
    world.alice.refresh_from_db()
    assert world.alice.home_postcode_token == ""


def test_an_la_team_cannot_record_the_home_postcode_of_another_las_practitioner(world):
    response = _record(signed_in(world.lena), world.bob, postcode="LS1 4AB")
    assert response.status_code == 403
    world.bob.refresh_from_db()
    assert world.bob.home_postcode_token == ""


def test_an_la_team_member_cannot_change_or_remove_their_own(world):
    world.lena.home_postcode_token = home_postcode_token("LS1 4AB")
    world.lena.save(update_fields=["home_postcode_token"])
    response = _record(signed_in(world.lena), world.lena, remove="yes")
    assert response.status_code == 403
    world.lena.refresh_from_db()
    assert world.lena.home_postcode_token == home_postcode_token("LS1 4AB")


def _invite(world, **changes):
    from team.tests.test_team import INVITE

    data = {**INVITE, "organisation": str(world.north_social_care.pk), **changes}
    return signed_in(world.lena).post(reverse("team:invite"), data)


def test_a_home_postcode_given_at_invitation_is_recorded_as_a_token_and_audited(world):
    response = _invite(world, home_postcode="ls2 7qq")
    assert response.status_code == 302
    ivy = User.objects.get(username="ivy")
    assert ivy.home_postcode_token == home_postcode_token("LS2 7QQ")
    recorded = AuditEvent.objects.get(tag=AuditTag.HomePostcodeRecorded)
    assert recorded.actor == world.lena and recorded.additional["user_id"] == ivy.pk


def test_an_invitation_without_a_home_postcode_records_none(world):
    _invite(world)
    assert User.objects.get(username="ivy").home_postcode_token == ""
    assert not AuditEvent.objects.filter(tag=AuditTag.HomePostcodeRecorded).exists()


def test_a_malformed_home_postcode_at_invitation_is_refused_and_no_account_is_made(world):
    page = _invite(world, home_postcode="LS2 7").content.decode()
    assert "Enter a full postcode, like LS1 4AB, or leave the home postcode blank" in page
    assert not User.objects.filter(username="ivy").exists()
