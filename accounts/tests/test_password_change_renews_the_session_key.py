"""Changing one's password gives this session a new key: a copy of its cookie stops working.

A person changes their password because they think someone else has got in. Every other session ended,
but this one kept its key, so whoever had copied its cookie (malware, a shared machine, a proxy log) was
signed in still, now under the new password's session hash. Django's own `update_session_auth_hash`
renews the key for that reason; the new key is tracked, so a suspension still ends the session.
"""

from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession
from accounts.services import account_suspend
from tests.journeys import signed_in
from tests.personas import PASSWORD

NEW = "plum orchard lantern 7 quietly"
URL = reverse("accounts:password_change")
SEARCH = reverse("children:search")


def test_a_copy_of_this_sessions_cookie_is_signed_out_by_the_change(world):
    here = signed_in(world.alice)
    copied = Client()
    copied.cookies[settings.SESSION_COOKIE_NAME] = here.cookies[settings.SESSION_COOKIE_NAME].value
    assert copied.get(SEARCH).status_code == 200
    old_key = here.session.session_key
    assert here.post(URL, {"current": PASSWORD, "password1": NEW, "password2": NEW}).status_code == 302
    assert here.session.session_key != old_key
    assert "Find a child" in here.get(SEARCH).content.decode()  # the person carries on
    refused = copied.get(SEARCH)
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("accounts:login"))
    assert list(UserSession.objects.filter(user=world.alice).values_list("session_key", flat=True)) == [
        here.session.session_key
    ]


def test_the_renewed_session_is_still_ended_by_a_suspension(world):
    here = signed_in(world.alice)
    here.post(URL, {"current": PASSWORD, "password1": NEW, "password2": NEW})
    account_suspend(user=world.alice, by=world.lena, reason="Synthetic reason")
    assert here.get(SEARCH)["Location"].startswith(reverse("accounts:login"))
