"""A NUL character typed or pasted into any form gets a message in the service's words.

Django's `ProhibitNullCharactersValidator` answered "Null characters are not allowed." on every text box
(the sign-in, second-factor, step-up and invitation pages included): a programmer's message ending in a
full stop. `tests/test_form_wording.py` did not see it: the validator's message is a lazy string, which
its collection of Django's defaults skips, and its walk sends no NUL.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.pages import rendered
from tests.test_form_wording import _cases, _every_form_class, _messages

DJANGO_NUL_MESSAGE = "Null characters are not allowed"


def test_a_nul_in_the_username_is_named_in_the_services_words_on_the_sign_in_page(world):
    response = Client().post(reverse("accounts:login"), {"username": "alice\x00", "password": "x"})
    page = rendered(response, heading="Sign in to ContactPoint")
    assert DJANGO_NUL_MESSAGE not in page
    assert "Username contains control or invisible characters" in page


@pytest.mark.parametrize("form_class", _every_form_class(), ids=lambda c: c.__name__)
def test_no_form_answers_a_nul_with_djangos_message(world, form_class):
    build = _cases(world)[form_class]
    for message in _messages(build(dict.fromkeys(build({}).fields, "a\x00b"))):
        assert not message.startswith(DJANGO_NUL_MESSAGE), f"{form_class.__name__}: {message!r}"
        assert not message.endswith("."), f"{form_class.__name__}: {message!r} ends with a full stop"
