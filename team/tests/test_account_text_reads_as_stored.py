"""What the account pages store and later show must read as it is stored (`children.forms.readable`).

A name is shown on every page ("Signed in as"), on the LA team's lists and in the audit reports; the
work and line manager's email addresses are where invitations and suspension notices go, and are shown
on the account page; a suspension's reason is read by the LA team (and any administrator) who decides
whether to reinstate. A right-to-left override ("\\u202e"), a zero-width space ("\\u200b"), a control
character ("\\x07") or a letter that shows nothing (the Hangul filler "\\u3164") makes the value read
differently from what is stored and searched: "Iv\\u202eyn" reads as "Ivny". Django's `EmailField` takes
any character from U+00A1 up in the domain, zero-width and right-to-left ones among them, and its
username validator takes the Hangul filler as a letter, so a username could show as nothing at all.

Each is refused by the form with a clear error, on the LA team's and on the administrator's
invitation, and nothing is stored, audited or sent.
"""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import suspension_reason_text
from accounts.wording import EMAIL_FORMAT
from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.tags import AuditTag
from team.tests.test_team import INVITE
from tests.journeys import signed_in
from tests.pages import rendered

INVISIBLE = "contains control or invisible characters"
# A right-to-left override, a zero-width space, a control character, a letter that shows nothing.
HIDDEN = ["\u202e", "\u200b", "\x07", "\u3164"]
HIDDEN_IDS = ["rtl-override", "zero-width-space", "bell", "hangul-filler"]

# Each text field of the invitation, how a hidden character is put into it, and the error it then shows.
FIELDS = {
    "first_name": (lambda ch: f"Iv{ch}y", "The first name"),
    "last_name": (lambda ch: f"New{ch}comer", "The last name"),
    "email": (lambda ch: f"ivy@exa{ch}mple.org", "The email address"),
    "manager_email": (lambda ch: f"boss@exa{ch}mple.org", "The line manager"),
}


def _nothing_invited(username: str) -> None:
    assert not User.objects.filter(username=username).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountInvited).exists()
    assert mail.outbox == []


def _refused(page: str, label: str) -> None:
    assert "There is a problem" in page
    assert label in page and INVISIBLE in page, "the error names the field and what is wrong"


@pytest.mark.parametrize("ch", HIDDEN, ids=HIDDEN_IDS)
@pytest.mark.parametrize("field", list(FIELDS))
def test_an_la_teams_invitation_with_a_hidden_character_is_refused_and_invites_nobody(world, field, ch):
    typed, label = FIELDS[field]
    data = {**INVITE, "organisation": str(world.north_social_care.pk), field: typed(ch)}
    page = rendered(signed_in(world.lena).post(reverse("team:invite"), data), heading="Invite a user")
    if field.endswith("email") and ch == "\x07":  # Django's EmailField refuses a control character itself
        assert EMAIL_FORMAT in page
    else:
        _refused(page, label)
    _nothing_invited("ivy")


@pytest.mark.parametrize("ch", HIDDEN, ids=HIDDEN_IDS)
@pytest.mark.parametrize("field", list(FIELDS))
def test_a_national_invitation_with_a_hidden_character_is_refused_and_invites_nobody(world, field, ch):
    typed, label = FIELDS[field]
    data = {
        **INVITE,
        "username": "nell",
        "role": Role.NATIONAL_AUDITOR,
        "organisation": str(world.nadia.organisation.pk),
        field: typed(ch),
    }
    response = signed_in(administrator(world)).post(reverse("administration:account_invite"), data)
    page = rendered(response, heading="Invite a user to a national account")
    if field.endswith("email") and ch == "\x07":
        assert EMAIL_FORMAT in page
    else:
        _refused(page, label)
    _nothing_invited("nell")


# Usernames Django's validator passes (the Hangul filler is a letter to it) that show as nothing, or as
# a space inside a name of one script ("김 철수" looks like two words, and like "김철수" once copied).
INVISIBLE_USERNAMES = ["\u3164\u3164\u3164", "\uffa0\uffa0", "\uae40\u3164\ucca0\uc218"]


@pytest.mark.parametrize("username", INVISIBLE_USERNAMES, ids=["fillers", "halfwidth-fillers", "inside"])
def test_a_username_that_shows_nothing_is_refused(world, username):
    data = {**INVITE, "organisation": str(world.north_social_care.pk), "username": username}
    page = rendered(signed_in(world.lena).post(reverse("team:invite"), data), heading="Invite a user")
    _refused(page, "The username")
    assert not User.objects.filter(email="ivy@example.org").exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountInvited).exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [("Siobhán", "O'Brien-Ní Dhuibhir"), ("Zoë", "St. John"), ("מרים", "כהן"), ("Ngọc", "Nguyễn")],
)
def test_real_names_in_any_script_are_still_invited(world, first_name, last_name):
    """Right-to-left letters are not a right-to-left override: a Hebrew name is a name."""
    data = {
        **INVITE,
        "organisation": str(world.north_social_care.pk),
        "first_name": first_name,
        "last_name": last_name,
        "email": "ivy@exämple.org",  # an international domain, with no hidden character, still passes
    }
    response = signed_in(world.lena).post(reverse("team:invite"), data)
    assert response.status_code == 302, "the invitation was refused"
    ivy = User.objects.get(username="ivy")
    assert (ivy.first_name, ivy.last_name, ivy.email) == (first_name, last_name, "ivy@exämple.org")


def test_a_name_that_is_not_letters_is_refused(world):
    """A name is letters (and the separators names use), as a feed's names are."""
    data = {**INVITE, "organisation": str(world.north_social_care.pk), "last_name": "<b>Admin</b>"}
    page = rendered(signed_in(world.lena).post(reverse("team:invite"), data), heading="Invite a user")
    assert "The last name may contain only letters" in page
    _nothing_invited("ivy")


@pytest.mark.parametrize("ch", HIDDEN, ids=HIDDEN_IDS)
def test_a_suspension_reason_with_a_hidden_character_is_refused_and_suspends_nobody(world, ch):
    client = signed_in(world.lena)
    response = client.post(
        reverse("team:suspend", args=[world.alice.pk]), {"reason": f"Searched own sur{ch}name"}
    )
    page = rendered(response, heading=world.alice.get_full_name())
    _refused(page, "The reason")
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None
    assert suspension_reason_text(world.alice) == ""
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountSuspended).exists()


@pytest.mark.parametrize("ch", HIDDEN, ids=HIDDEN_IDS)
def test_a_national_suspension_reason_with_a_hidden_character_is_refused(world, ch):
    response = signed_in(administrator(world)).post(
        reverse("administration:account_suspend", args=[world.nadia.pk]), {"reason": f"Left{ch} the office"}
    )
    page = rendered(response, heading=world.nadia.get_full_name())
    _refused(page, "The reason")
    world.nadia.refresh_from_db()
    assert world.nadia.suspended_at is None
    assert not AuditEvent.objects.filter(tag=AuditTag.AccountSuspended).exists()
