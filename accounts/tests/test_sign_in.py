import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.forms import GENERIC_FAILURE, THROTTLED
from accounts.ratelimit import LOGIN_USER
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.personas import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_a_correct_password_leads_to_the_second_factor(world):
    client = Client()
    response = _sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith(reverse("accounts:mfa"))
    assert AuditEvent.objects.filter(tag=AuditTag.LoginSucceeded, actor=world.alice).count() == 1


def test_unknown_user_and_wrong_password_get_identical_responses(world):
    wrong_password = _sign_in(Client(), "alice", "not the password at all")
    unknown_user = _sign_in(Client(), "nobody-here", "not the password at all")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert "Enter a correct username and password" in wrong_password.content.decode()
    strip = lambda r: r.content.decode().replace("alice", "X").replace("nobody-here", "X")  # noqa: E731
    import re

    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub("", strip(wrong_password)) == csrf.sub("", strip(unknown_user))


def test_failed_logins_are_audited_without_the_username(world):
    _sign_in(Client(), "alice", "wrong password here")
    event = AuditEvent.objects.get(tag=AuditTag.LoginFailed)
    assert "alice" not in str(event.additional)
    assert event.additional["username_token"]


def test_it_locks_an_account_after_ten_failures_in_five_minutes(world):
    for i in range(10):
        _sign_in(Client(), "alice", f"wrong password {i}", ip=f"10.0.1.{i}")
    response = _sign_in(Client(), "alice", PASSWORD, ip="10.0.2.1")
    assert response.status_code == 200
    assert "Too many attempts" in response.content.decode()
    assert AuditEvent.objects.filter(tag=AuditTag.LoginThrottled).count() == 1


def test_nine_failures_do_not_lock_the_account(world):
    for i in range(9):
        _sign_in(Client(), "alice", f"wrong password {i}", ip=f"10.0.1.{i}")
    assert _sign_in(Client(), "alice", PASSWORD, ip="10.0.2.1").status_code == 302


def test_it_throttles_an_ip_address_across_usernames(world):
    for i in range(10):
        _sign_in(Client(), f"someone{i}", "wrong password", ip="10.9.9.9")
    response = _sign_in(Client(), "alice", PASSWORD, ip="10.9.9.9")
    assert "Too many attempts" in response.content.decode()
    assert _sign_in(Client(), "alice", PASSWORD, ip="10.9.9.10").status_code == 302


def test_unknown_usernames_lock_the_same_way_as_real_ones(world):
    for i in range(10):
        _sign_in(Client(), "ghost", f"wrong {i}", ip=f"10.0.3.{i}")
    assert "Too many attempts" in _sign_in(Client(), "ghost", "x", ip="10.0.4.1").content.decode()


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_an_unknown_username_still_costs_a_password_hash(world, monkeypatch):
    """Django's backend hashes a dummy password for unknown users, so timing does not reveal accounts."""
    from accounts.models import User

    calls = []
    original = User.set_password
    monkeypatch.setattr(User, "set_password", lambda self, raw: (calls.append(1), original(self, raw))[1])
    _sign_in(Client(), "nobody-by-this-name", "some password or other")
    assert calls == [1]


def test_lockout_counts_are_shared_through_redis_across_app_servers(world, redis_cache):
    """Failures on one app server lock the account on every other: the count lives in Redis.

    Each request comes through the sign-in page on a fresh client (another browser, as if load-balanced
    to another server); the lock is read back with an independent Redis client, and lifting it in Redis
    is what lets the user in again.
    """
    for i in range(10):
        failed = _sign_in(Client(), "alice", f"wrong password {i}", ip=f"10.0.5.{i}")
        assert failed.status_code == 200
        assert GENERIC_FAILURE in failed.content.decode()
    locked = _sign_in(Client(), "alice", PASSWORD, ip="10.0.6.1")
    assert locked.status_code == 200
    assert THROTTLED in locked.content.decode()
    counters = [key for key in redis_cache.scan_iter() if b"login.user" in key]
    assert len(counters) == 1
    assert b"alice" not in counters[0]
    assert 0 < redis_cache.ttl(counters[0]) <= 5 * 60
    redis_cache.delete(counters[0])
    assert _sign_in(Client(), "alice", PASSWORD, ip="10.0.6.1").status_code == 302


def test_username_variants_share_one_lockout_with_the_canonical_account(world):
    """Sign-in strips and NFKC-normalises the username, so the lockout must count the same account:
    a trailing space or the full-width form must not buy ten fresh tries."""
    variants = ["alice", "alice ", " alice", "\uff41\uff4c\uff49\uff43\uff45", "alice\u3000"]
    for i in range(10):
        _sign_in(Client(), variants[i % len(variants)], f"wrong password {i}", ip=f"10.0.5.{i}")
    for variant in variants:
        response = _sign_in(Client(), variant, PASSWORD, ip="10.0.6.1")
        assert response.status_code == 200
        assert "Too many attempts" in response.content.decode()


def test_the_user_lockout_is_keyed_on_the_canonical_name_whether_or_not_the_account_exists(world):
    from accounts.ratelimit import login_subject

    assert login_subject("\uff41lice ") == login_subject("ALICE") == login_subject("alice") == "name:alice"
    assert login_subject("Ghost ") == login_subject("ghost") == "name:ghost"
    for _ in range(10):
        LOGIN_USER.hit(login_subject("alice"))
    assert "Too many attempts" in _sign_in(Client(), "alice", PASSWORD).content.decode()


def test_a_username_with_a_nul_character_is_refused_without_a_server_error(world):
    """PostgreSQL refuses NUL in a query: the lockout keys such a name without looking it up."""
    from accounts.ratelimit import login_subject

    client = Client()
    response = _sign_in(client, "alice\x00", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert login_subject("alice\x00") == "name:alice\x00"


def test_a_limiter_hit_is_one_atomic_redis_round_trip_that_starts_the_window(redis_cache):
    from accounts.ratelimit import Limiter

    limiter = Limiter("test.limiter", limit=2, window_seconds=60)
    assert [limiter.hit("someone"), limiter.hit("someone")] == [1, 2]
    assert limiter.count("someone") == 2 and limiter.exceeded("someone")
    assert not limiter.exceeded("someone else")
    [key] = [key for key in redis_cache.scan_iter() if b"test.limiter" in key]
    assert 0 < redis_cache.ttl(key) <= 60
    limiter.reset("someone")
    assert limiter.count("someone") == 0


def test_the_sign_in_page_with_itself_as_next_is_not_a_server_error_for_a_signed_in_person(world):
    client = signed_in(world.alice)
    client.raise_request_exception = False
    response = client.get("/account/sign-in/?next=/account/sign-in/")
    assert response.status_code in (200, 302), f"GET answered {response.status_code}"


def test_the_sign_in_page_with_itself_as_next_is_not_a_server_error_after_the_password(world):
    """Only the password given (the second factor still to come), as a link in an email could catch."""
    client = Client(raise_request_exception=False)
    client.post("/account/sign-in/", {"username": "alice", "password": PASSWORD})
    response = client.post("/account/sign-in/?next=/account/sign-in/", {"username": "x", "password": "y"})
    assert response.status_code in (200, 302), f"POST answered {response.status_code}"
