"""An invitation is an account change like the others (session 25 review of `_accounts_locked`).

- The inviter is judged again under their row lock: an LA team member suspended (say, on a misuse alert)
  after their invitation passed the policy opens no account, and with a home postcode typed the request
  was a server error (`ActorCannotAct` from `home_postcode_record`, which nothing caught).
- The form's "one open account per address" check matched addresses as the database constraint does:
  PostgreSQL's `upper` and `lower` disagree on a few letters (the Kelvin sign lowers to "k" but stays
  itself in capitals), so an address the constraint refuses passed the form and was a server error.
"""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import team.forms
from accounts.models import User
from tests.invitations import CHECKED_YEAR
from tests.journeys import signed_in


def _invitation(world, *, email: str, username: str, home_postcode: str = "") -> dict[str, str]:
    return {
        "first_name": "Ivy",
        "last_name": "Example",
        "email": email,
        "username": username,
        "organisation": str(world.north_social_care.pk),
        "role": "practitioner",
        "background_check_day": "1",
        "background_check_month": "1",
        "background_check_year": CHECKED_YEAR,
        "training_day": "1",
        "training_month": "1",
        "training_year": "2026",
        "home_postcode": home_postcode,
    }


def _suspended_on_the_way(monkeypatch, inviter: User) -> None:
    """A colleague's suspension of the inviter commits after the policy passed them, before the write."""
    invite = team.forms.account_invite

    def suspended_first(**kwargs):
        User.objects.filter(pk=inviter.pk).update(suspended_at=timezone.now())
        return invite(**kwargs)

    monkeypatch.setattr(team.forms, "account_invite", suspended_first)


@pytest.mark.parametrize("home_postcode", ["", "LS1 4AB"])
def test_an_inviter_suspended_on_the_way_opens_no_account_and_is_told_why(world, monkeypatch, home_postcode):
    client = signed_in(world.lena)
    client.raise_request_exception = False
    _suspended_on_the_way(monkeypatch, world.lena)

    response = client.post(
        reverse("team:invite"),
        _invitation(world, email="ivy@example.org", username="ivy", home_postcode=home_postcode),
    )

    assert not User.objects.filter(username="ivy").exists(), "a suspended inviter opened an account"
    assert response.status_code == 403, f"answered {response.status_code}"
    assert "suspended" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session  # signed out


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's lower() of non-ASCII letters")
def test_an_address_the_constraint_takes_for_an_open_accounts_is_refused_on_the_form(world):
    User.objects.filter(pk=world.alice.pk).update(email="kate@example.org")
    client = signed_in(world.lena)
    client.raise_request_exception = False
    kelvin = "\u212aate@example.org"  # KELVIN SIGN, then "ate": lower() gives kate@example.org

    response = client.post(reverse("team:invite"), _invitation(world, email=kelvin, username="kate2"))

    assert response.status_code == 200, f"answered {response.status_code}"
    assert team.forms.EMAIL_TAKEN in response.content.decode()
    assert not User.objects.filter(username="kate2").exists()
