"""The invitation refuses passwords an attacker tries first, which Django's validators let through.

Django's list of 20,000 common passwords, the length and the similarity checks passed "ContactPoint2026",
"            " (twelve spaces), twelve zero-width spaces (a password that shows as nothing), "aaaaaaaaaaaa",
"passwordpassword", "abcdefghijkl" and "qwertyuiopas". NIST SP 800-63B (5.1.1.2) names exactly these:
repetitive or sequential characters and context-specific words such as the name of the service. A
password spray of "ContactPoint2026" at one guess an account stays under every lockout.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.invitations import ivy_invited
from tests.pages import rendered

GUESSABLE = [
    "ContactPoint2026",
    "contact point 2026",
    "My-Contact-Point!",
    " " * 12,
    "\u200b" * 12,
    "aaaaaaaaaaaa",
    "aaaaaa aaaaaa",
    "passwordpassword",
    "abcabcabcabc",
    "abcdefghijkl",
    "lkjihgfedcba",
    "qwertyuiopas",
    "1234567890-=",
]
FINE = ["a long synthetic passphrase 93", "correct horse battery staple", "Tr0ub4dor&3-extra"]


def _invitation(world):
    _, token = ivy_invited(world)
    return reverse("accounts:invitation", args=[token])


@pytest.mark.parametrize("password", GUESSABLE)
def test_a_guessable_password_is_refused_in_the_services_words_and_nothing_is_set(world, password):
    url = _invitation(world)
    response = Client().post(url, {"password1": password, "password2": password, "agreement": "on"})
    page = rendered(response, heading="Set up your ContactPoint account")
    assert "Enter a password that is harder to guess" in page
    ivy = world.lena.__class__.objects.get(username="ivy")
    assert not ivy.has_usable_password()


@pytest.mark.parametrize("password", FINE)
def test_a_password_that_is_not_guessable_is_accepted(world, password):
    url = _invitation(world)
    response = Client().post(url, {"password1": password, "password2": password, "agreement": "on"})
    assert response.status_code == 302
    assert world.lena.__class__.objects.get(username="ivy").check_password(password)
