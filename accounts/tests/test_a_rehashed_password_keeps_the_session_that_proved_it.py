"""A password check that re-hashes the password keeps the signed-in session that made it.

Django re-hashes and saves a password as it checks it whenever the hasher's parameters have changed (an
upgrade raising Argon2's costs, a new PASSWORD_HASHERS). A signed-in session carries a hash of the stored
password, checked on every request, so the session that had just stepped up, with the right answers, was
signed out on its next request. The session is given the new hash, as a password change gives it.
"""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, check_password
from django.urls import reverse

from accounts.models import User
from tests.journeys import current_code, signed_in, totp_device
from tests.personas import PASSWORD

NEW = "plum orchard lantern 7 quietly"


@pytest.fixture
def rehashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every stored hash is out of date, as after an upgrade of the hasher's parameters."""
    assert User.objects.filter(
        password__startswith=f"{MD5PasswordHasher.algorithm}$"
    ).exists()  # the tests' hasher
    monkeypatch.setattr(MD5PasswordHasher, "must_update", lambda self, encoded: True)


def test_a_step_up_that_rehashes_the_password_keeps_its_session(world, rehashing):
    client = signed_in(world.lena, reauthenticated=False)
    before = User.objects.get(pk=world.lena.pk).password
    response = client.post(
        reverse("accounts:reauthenticate"),
        {"password": PASSWORD, "code": current_code(totp_device(world.lena))},
    )
    assert response.status_code == 302 and not response["Location"].startswith(reverse("accounts:login"))
    assert User.objects.get(pk=world.lena.pk).password != before  # re-hashed as it was checked
    after = client.get(reverse("team:users"))
    assert after.status_code == 200, "the session that had just stepped up was signed out"


def test_a_wrong_step_up_answer_changes_nothing_of_the_session(world, rehashing):
    client = signed_in(world.lena, reauthenticated=False)
    before = User.objects.get(pk=world.lena.pk).password
    client.post(reverse("accounts:reauthenticate"), {"password": "not the password", "code": "000000"})
    assert User.objects.get(pk=world.lena.pk).password == before
    assert client.get(reverse("children:search")).status_code == 200


def test_a_password_change_whose_current_password_is_rehashed_keeps_its_session(world, rehashing):
    client = signed_in(world.alice)
    response = client.post(
        reverse("accounts:password_change"), {"current": PASSWORD, "password1": NEW, "password2": NEW}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert check_password(NEW, User.objects.get(pk=world.alice.pk).password)  # the function saves nothing
    assert client.get(reverse("children:search")).status_code == 200
