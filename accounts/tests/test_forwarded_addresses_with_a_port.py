"""A client address the trusted proxy wrote with its port still counts as that client's address.

`X-Forwarded-For` entries such as "203.0.113.5:51234" or "[2001:db8::1]:443" (as some load balancers and
Azure's gateways write them) were not addresses to `accounts.network`, which fell back to the proxy's own:
every client behind that proxy then shared one `login.ip` counter, and ten wrong passwords anywhere locked
everyone out. The host part is taken; anything else that is no address still falls back, never trusted.
"""

import pytest
from django.test import RequestFactory

from accounts.network import client_ip, client_network

LOAD_BALANCER = "10.0.0.254"


def _request(forwarded_for: str):
    return RequestFactory().get("/", REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        ("203.0.113.5:51234", "203.0.113.5"),
        ("203.0.113.5:0", "203.0.113.5"),
        (" 203.0.113.5:65535 ", "203.0.113.5"),
        ("198.51.100.1, 203.0.113.5:51234", "203.0.113.5"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("[2001:DB8:0::1]", "2001:db8::1"),
        ("2001:db8::1:443", "2001:db8::1:443"),  # an IPv6 address in full, not one with a port
    ],
)
def test_an_address_with_its_port_is_the_clients_address(settings, forwarded_for, expected):
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(_request(forwarded_for)) == expected


@pytest.mark.parametrize(
    "forwarded_for",
    [
        "not-an-ip:80",
        "203.0.113.5:",
        "203.0.113.5:65536",
        "203.0.113.5:8o",
        "203.0.113.5:\u0668\u0660",  # Arabic-Indic digits are no port
        "203.0.113.5:80:80",
        "[203.0.113.5]:80",  # brackets are for IPv6 only
        "[2001:db8::1]:",
        "[2001:db8::1",
        "2001:db8::1]:443",
        "[not-an-ip]:443",
    ],
)
def test_anything_else_is_still_no_address(settings, forwarded_for):
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(_request(forwarded_for)) == LOAD_BALANCER


def test_an_ipv6_address_with_its_port_is_counted_by_its_network(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_network(_request("[2001:db8:1:2:3:4:5:6]:443")) == "2001:db8:1:2::/64"
