"""The per-address sign-in limit (`login.ip`) counts a client's network, not one of its many addresses.

An IPv6 host is routinely given a whole /64 (2^64 addresses, from any home broadband line or cloud
server), and can send each request from a new one. Counted per address, a password-spraying run (one
guess at each of many accounts) never met the limit that is there to stop it. A /64 is one client, as
an IPv4 address behind NAT is; an IPv4 address written in its IPv6 form (::ffff:a.b.c.d, as dual-stack
proxies do) is the same client as the plain address.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.network import client_network
from tests.personas import PASSWORD

LOAD_BALANCER = "10.0.0.254"


def _sign_in(username: str, password: str, client_address: str):
    return Client().post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=LOAD_BALANCER,
        HTTP_X_FORWARDED_FOR=client_address,
    )


def test_password_spraying_from_fresh_addresses_of_one_ipv6_network_meets_the_address_limit(world, settings):
    """Ten accounts guessed from ten addresses of one /64: the eleventh attempt, from yet another address
    of it, is refused unchecked, while a client on another network signs in."""
    settings.TRUSTED_PROXY_HOPS = 1
    for i in range(10):
        failed = _sign_in(f"someone{i}", "wrong password", f"2001:db8:aaaa:1::{i + 1:x}")
        assert "Enter a correct username and password" in failed.content.decode()
    refused = _sign_in("alice", PASSWORD, "2001:db8:aaaa:1:ffff:ffff:ffff:fffe")
    assert refused.status_code == 200
    assert "Too many attempts" in refused.content.decode()
    assert _sign_in("alice", PASSWORD, "2001:db8:aaaa:2::1").status_code == 302


def test_an_ipv4_address_in_its_ipv6_form_shares_the_plain_addresses_limit(world, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    for i in range(10):
        _sign_in(f"someone{i}", "wrong password", "203.0.113.66")
    refused = _sign_in("alice", PASSWORD, "::ffff:203.0.113.66")
    assert "Too many attempts" in refused.content.decode()


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("2001:db8:aaaa:1::1", "2001:db8:aaaa:1::/64"),
        ("2001:db8:aaaa:1:ffff:ffff:ffff:ffff", "2001:db8:aaaa:1::/64"),
        ("2001:db8:aaaa:2::1", "2001:db8:aaaa:2::/64"),
    ],
)
def test_the_limit_counts_an_ipv4_address_or_an_ipv6_slash_64(settings, rf, address, network):
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_network(rf.get("/", REMOTE_ADDR=address)) == network
