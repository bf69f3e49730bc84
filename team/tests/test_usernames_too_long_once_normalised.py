"""A username that grows past the column once normalised is refused in words, never a server error.

The invitation form checks the username's length (150, the column's) as typed, then NFKC-normalises it
(so it can be signed in with: pentest finding 8) and stores its skeleton (NFKC, case-folded) beside it.
Both can be longer than what was typed: a ligature such as "\ufb03" is three letters once normalised, and
"\u00df" case-folds to "ss". A name of 60 ligatures, or of 100 sharp s, passed the form and PostgreSQL
refused the insert ("value too long for type character varying(150)"): a 500 on the LA team's invitation
page and the administrator's, which shares the form. SQLite stores any length, so there the account was
made with a name longer than the column allows.
"""

from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from team.forms import USERNAME_MAX_LENGTH
from tests.invitations import invitation_form
from tests.journeys import signed_in
from tests.pages import rendered

TOO_LONG = "Enter a shorter username: it can have at most 150 characters"


def _invite(world, username: str):
    data = invitation_form(username=username, organisation=world.north_social_care.pk)
    return signed_in(world.lena).post(reverse("team:invite"), data)


def _nobody_invited() -> bool:
    return (
        not User.objects.filter(email="ivy@example.org").exists()
        and not AuditEvent.objects.filter(tag=AuditTag.AccountInvited).exists()
    )


def test_a_username_longer_than_the_column_once_normalised_is_refused_in_words(world):
    ligatures = "\ufb03" * 60  # 60 characters as typed, 180 once normalised ("ffi" each)
    response = _invite(world, ligatures)
    page = rendered(response, heading="Invite a user")
    assert response.status_code == 200
    assert TOO_LONG in page
    assert _nobody_invited()


def test_a_username_whose_skeleton_is_longer_than_the_column_is_refused_in_words(world):
    sharp_s = "\u00df" * 100  # 100 characters, and as many once normalised; 200 once case-folded
    response = _invite(world, sharp_s)
    page = rendered(response, heading="Invite a user")
    assert response.status_code == 200
    assert TOO_LONG in page
    assert _nobody_invited()


def test_the_forms_limit_is_the_columns():
    assert User._meta.get_field("username").max_length == USERNAME_MAX_LENGTH
    assert User._meta.get_field("username_skeleton").max_length == USERNAME_MAX_LENGTH


def test_a_username_of_as_many_characters_as_the_column_holds_is_still_accepted(world):
    response = _invite(world, "i" * 150)
    assert response.status_code == 302
    assert User.objects.get(email="ivy@example.org").username == "i" * 150
