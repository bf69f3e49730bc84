"""A name tried at sign-in that is longer than any username can be is never NFKC-normalised.

The lockout's key (`accounts.ratelimit.login_subject`) and the refusal's audit token normalised the raw
name as posted, before any limit was checked: NFKC can make a string 18 times longer and is slow (Django's
own UsernameField refuses to normalise past its max_length, CVE-2023-46695), and a sign-in body may be
megabytes long. So even a request from an address already locked out, refused without a password check,
cost seconds of CPU and a hundred megabytes. Such a name can never sign in: it is counted under a hash of
its raw form, refused with the usual answer, and never looked up.
"""

import unicodedata
from typing import Literal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.forms import GENERIC_FAILURE, THROTTLED
from accounts.models import User
from accounts.ratelimit import LOGIN_IP, LOGIN_USER, login_subject, login_username_token
from accounts.usernames import USERNAME_MAX_LENGTH
from audit.models import AuditEvent
from audit.tags import AuditTag

EXPANDS = "\ufdfa"  # one character NFKC makes eighteen
OVERLONG = EXPANDS * 20_000


@pytest.fixture
def normalised(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The length of every string NFKC-normalised (by anyone) while the test runs."""
    lengths: list[int] = []
    real = unicodedata.normalize

    def measuring(form: Literal["NFC", "NFD", "NFKC", "NFKD"], text: str) -> str:
        lengths.append(len(text))
        return real(form, text)

    monkeypatch.setattr(unicodedata, "normalize", measuring)
    return lengths


def _sign_in(username: str, ip: str):
    """A wrong password for `username`, its body sent as a browser would (the name percent-encoded)."""
    body = f"username={quote(username)}&password=a+wrong+password".encode()
    return Client().generic(
        "POST",
        reverse("accounts:login"),
        body,
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR=ip,
    )


def test_the_longest_name_an_account_can_have_is_the_username_columns():
    assert User._meta.get_field("username").max_length == USERNAME_MAX_LENGTH


def test_a_locked_out_address_refuses_an_overlong_name_without_normalising_it(world, normalised):
    for _ in range(LOGIN_IP.limit):
        LOGIN_IP.hit("10.66.0.1")
    response = _sign_in(OVERLONG, ip="10.66.0.1")
    assert THROTTLED in response.content.decode()
    assert max(normalised, default=0) <= USERNAME_MAX_LENGTH
    assert AuditEvent.objects.filter(tag=AuditTag.LoginThrottled).count() == 1


def test_an_overlong_name_is_refused_as_any_unknown_name_is_and_never_looked_up(world, normalised):
    with CaptureQueriesContext(connection) as queries:
        response = _sign_in(OVERLONG, ip="10.66.0.2")
    assert GENERIC_FAILURE in response.content.decode()
    assert max(normalised, default=0) <= USERNAME_MAX_LENGTH
    assert not any(
        EXPANDS in query["sql"] or len(query["sql"]) > 10_000 for query in queries.captured_queries
    )
    failed = AuditEvent.objects.get(tag=AuditTag.LoginFailed)
    assert EXPANDS not in str(failed.additional)
    assert LOGIN_IP.count("10.66.0.2") == 1  # a failure like any other


def test_an_overlong_name_is_counted_under_a_short_key_of_its_own(world, normalised):
    subject = login_subject(OVERLONG)
    assert len(subject) < 100 and EXPANDS not in subject
    assert subject != login_subject(OVERLONG + "x")
    assert len(login_username_token(OVERLONG)) < 100
    assert max(normalised, default=0) <= USERNAME_MAX_LENGTH
    for i in range(LOGIN_USER.limit):
        assert GENERIC_FAILURE in _sign_in(OVERLONG, ip=f"10.67.{i}.1").content.decode()
    assert THROTTLED in _sign_in(OVERLONG, ip="10.67.99.1").content.decode()
    assert GENERIC_FAILURE in _sign_in(OVERLONG + "x", ip="10.67.99.2").content.decode()


def test_an_overlong_names_failures_and_its_lockout_carry_one_token(world):
    for i in range(LOGIN_USER.limit):
        _sign_in(OVERLONG, ip=f"10.68.{i}.1")
    _sign_in(OVERLONG, ip="10.68.99.1")
    failed = {e.additional["username_token"] for e in AuditEvent.objects.filter(tag=AuditTag.LoginFailed)}
    throttled = AuditEvent.objects.get(tag=AuditTag.LoginThrottled).additional["username_token"]
    assert failed == {throttled}


def test_a_name_padded_with_spaces_past_the_limit_still_counts_as_the_name(world):
    """Spaces round a name are stripped before its length is judged, as Django's UsernameField does."""
    padded = " " * USERNAME_MAX_LENGTH + "alice" + " " * USERNAME_MAX_LENGTH
    assert login_subject(padded) == login_subject("alice")
    for i in range(LOGIN_USER.limit):
        assert GENERIC_FAILURE in _sign_in(padded, ip=f"10.69.{i}.1").content.decode()
    assert THROTTLED in _sign_in("alice", ip="10.69.99.1").content.decode()


def test_a_name_of_the_longest_length_is_still_normalised(world):
    longest = "\uff41" * USERNAME_MAX_LENGTH  # full-width a: "a" after NFKC
    assert login_subject(longest) == login_subject("a" * USERNAME_MAX_LENGTH)
