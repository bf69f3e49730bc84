"""Look-alike usernames (pentest finding 8): the invitation refuses names Django's username validator
refuses (RTL overrides, emoji, markup), mixed scripts, and any name whose confusables skeleton
(Unicode TR39, via confusable-homoglyphs) equals an existing account's."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.usernames import username_skeleton
from tests.invitations import CHECKED_YEAR, invitation_form
from tests.journeys import signed_in
from tests.personas import make_user


def _invite(world, username: str):
    data = invitation_form(username=username, organisation=world.north_social_care.pk)
    return signed_in(world.lena).post(reverse("team:invite"), data)


@pytest.mark.parametrize(
    "lookalike",
    [
        "dem\u043e-teacher",  # Cyrillic o
        "\u0501emo-teacher",  # Cyrillic komi de
        "\uff44\uff45\uff4d\uff4f-teacher",  # full-width
        "DEMO-teacher",  # case
        "demo-teac\u04bber",  # Cyrillic shha for h
    ],
)
def test_a_username_that_looks_like_an_existing_one_is_refused(world, lookalike):
    make_user("demo-teacher", world.north_school)
    page = _invite(world, lookalike)
    assert page.status_code == 200
    text = page.content.decode()
    assert "already in use" in text or "looks too like" in text or "one alphabet" in text
    assert User.objects.count() == User.objects.exclude(username=lookalike).count()


@pytest.mark.parametrize(
    "hostile",
    [
        "evil\u202egnp.exe",  # right-to-left override
        "admin\u200b",  # zero-width space
        "smile\U0001f600",  # emoji
        "<b>bold</b>",  # markup
        "a b",  # space
    ],
)
def test_a_username_with_controls_emoji_or_markup_is_refused(world, hostile):
    page = _invite(world, hostile)
    assert page.status_code == 200
    assert "Enter a username using only letters, numbers" in page.content.decode()
    assert not User.objects.filter(username=hostile).exists()


def test_a_username_in_one_script_is_accepted(world):
    assert _invite(world, "ivy.newcomer").status_code == 302
    assert User.objects.get(username="ivy.newcomer").username_skeleton == username_skeleton("ivy.newcomer")


def test_mixed_scripts_are_refused_even_without_a_collision(world):
    page = _invite(world, "ivy-\u043d\u043e\u0432\u0430\u044f")  # Latin then Cyrillic
    assert "one alphabet" in page.content.decode()


def test_the_skeleton_maps_confusables_case_and_width_together():
    assert username_skeleton("dem\u043e-teacher") == username_skeleton("demo-teacher")
    assert username_skeleton("\uff44emo-Teacher") == username_skeleton("demo-teacher")
    assert username_skeleton("demo-teacher") != username_skeleton("demo-teachers")


FULL_WIDTH_IVY = "\uff49\uff56\uff59"  # "ivy" typed in full-width letters


def test_an_invited_full_width_username_can_sign_in_with_the_name_it_was_given(world):
    lena = signed_in(world.lena)
    response = lena.post(
        reverse("team:invite"),
        {
            "first_name": "Ivy",
            "last_name": "Example",
            "email": "ivy@example.org",
            "username": FULL_WIDTH_IVY,
            "organisation": str(world.north_social_care.pk),
            "role": "practitioner",
            "background_check_day": "1",
            "background_check_month": "1",
            "background_check_year": CHECKED_YEAR,
            "training_day": "1",
            "training_month": "1",
            "training_year": "2026",
        },
    )
    assert response.status_code == 302  # accepted by the invitation form
    token = re.search(r"/account/invitation/([\w-]+)/", mail.outbox[0].body).group(1)
    password = "a long synthetic passphrase 93"
    Client().post(
        reverse("accounts:invitation", args=[token]),
        {"password1": password, "password2": password, "agreement": "on"},
    )
    stored = User.objects.get(email="ivy@example.org").username
    signing_in = Client().post(reverse("accounts:login"), {"username": FULL_WIDTH_IVY, "password": password})
    assert signing_in.status_code == 302, (
        f"stored username {stored!r}; signing in with the name given answers {signing_in.status_code}: "
        f"{'Enter a correct username and password' in signing_in.content.decode()}"
    )
