"""Per-IP limits behind TLS-terminating proxies: the client address comes from the configured number
of trusted proxy hops, never from whatever X-Forwarded-For a client sends itself."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.network import client_ip
from tests.personas import PASSWORD

LOAD_BALANCER = "10.0.0.254"


def _request(remote_addr: str, forwarded_for: str | None = None):
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr)
    if forwarded_for is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return request


@pytest.mark.parametrize(
    ("hops", "remote_addr", "forwarded_for", "expected"),
    [
        # No proxy: the socket's address, and a client's own header is ignored.
        (0, "203.0.113.5", None, "203.0.113.5"),
        (0, "203.0.113.5", "198.51.100.1", "203.0.113.5"),
        # One proxy: the address that proxy saw (the rightmost entry it appended).
        (1, LOAD_BALANCER, "203.0.113.5", "203.0.113.5"),
        (1, LOAD_BALANCER, "198.51.100.1, 203.0.113.5", "203.0.113.5"),
        # Two proxies (CDN then load balancer): the entry the outer trusted proxy appended.
        (2, LOAD_BALANCER, "203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (2, LOAD_BALANCER, "6.6.6.6, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        # Fewer entries than hops (the outer proxy bypassed): the leftmost a trusted proxy wrote.
        (2, LOAD_BALANCER, "203.0.113.5", "203.0.113.5"),
        # Proxy configured but no header (a health check from the balancer itself).
        (1, LOAD_BALANCER, None, LOAD_BALANCER),
        # Garbage where an address should be: fall back to the socket, never trust the text.
        (1, LOAD_BALANCER, "not-an-ip", LOAD_BALANCER),
        (1, LOAD_BALANCER, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_comes_from_the_configured_trusted_hops(
    settings, hops, remote_addr, forwarded_for, expected
):
    settings.TRUSTED_PROXY_HOPS = hops
    assert client_ip(_request(remote_addr, forwarded_for)) == expected


def test_a_spoofed_forwarded_for_from_an_untrusted_client_is_ignored(settings):
    """A client that writes its own X-Forwarded-For cannot choose the address it is counted under."""
    settings.TRUSTED_PROXY_HOPS = 1
    spoofed = _request(LOAD_BALANCER, "1.2.3.4, 203.0.113.5")
    assert client_ip(spoofed) == "203.0.113.5"
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_ip(_request("203.0.113.5", "1.2.3.4")) == "203.0.113.5"


def _sign_in(username: str, password: str, forwarded_for: str):
    return Client().post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=LOAD_BALANCER,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_one_attacker_behind_the_load_balancer_cannot_lock_every_user_out(world, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    for i in range(10):
        _sign_in(f"someone{i}", "wrong password", "203.0.113.66")
    assert "Too many attempts" in _sign_in("alice", PASSWORD, "203.0.113.66").content.decode()
    assert _sign_in("alice", PASSWORD, "198.51.100.7").status_code == 302


def test_the_attacker_cannot_escape_the_ip_limit_by_rotating_a_spoofed_header(world, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    for i in range(10):
        _sign_in(f"someone{i}", "wrong password", f"192.0.2.{i}, 203.0.113.66")
    response = _sign_in("alice", PASSWORD, "192.0.2.200, 203.0.113.66")
    assert "Too many attempts" in response.content.decode()


def test_production_refuses_to_start_without_the_number_of_trusted_proxy_hops(tmp_path):
    """Guessing the hop count wrongly either shares one counter among all users or trusts forged
    headers, so production must be told."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **{k: v for k, v in os.environ.items() if k != "TRUSTED_PROXY_HOPS"},
        "DJANGO_SECRET_KEY": "x" * 60,
        "WEBAUTHN_RP_ID": "contactpoint.example",
        "WEBAUTHN_RP_NAME": "ContactPoint",
        "WEBAUTHN_ALLOWED_ORIGINS": "https://contactpoint.example",
        "ALLOWED_HOSTS": "contactpoint.example",
        "VAULT_KEY_FILE": str(tmp_path / "k.json"),
        "AUDIT_SIGNING_KEY_FILE": str(tmp_path / "a.pem"),
        "AUDIT_HEAD_EXPORT_DIR": str(tmp_path / "heads"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--settings=config.settings.production"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXY_HOPS must be set in production" in result.stderr
