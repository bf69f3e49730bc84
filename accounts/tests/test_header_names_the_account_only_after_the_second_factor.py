"""The page header's "Signed in as" line names the account (full name, role, organisation) only once both
factors are proved (a review's finding, session 36): whoever had only the password was shown whom the
account belongs to and what it may do on the second-factor page itself."""

from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User
from tests.journeys import signed_in, totp_device
from tests.personas import PASSWORD


def _password_only(user: User) -> Client:
    totp_device(user)
    client = Client()
    assert (
        client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code
        == 302
    )
    return client


def test_the_second_factor_page_names_nothing_of_the_account(world):
    page = _password_only(world.alice).get(reverse("accounts:mfa")).content.decode()
    assert "Enter" in page  # the code page itself
    assert world.alice.organisation is not None
    for told in (world.alice.get_full_name(), world.alice.get_role_display(), world.alice.organisation.name):
        assert escape(told) not in page, told
    assert "Signed in as" not in page


def test_a_verified_session_is_told_whom_it_is_signed_in_as(world):
    page = signed_in(world.alice).get(reverse("children:search")).content.decode()
    assert world.alice.organisation is not None
    assert "Signed in as" in page
    assert escape(world.alice.organisation.name) in page
