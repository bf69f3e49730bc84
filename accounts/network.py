"""The client's network address, for per-IP limits.

Production sits behind TLS-terminating proxies, so REMOTE_ADDR is the nearest proxy and every user
would share one counter. Each trusted proxy appends the address it saw to X-Forwarded-For; anything
to the left of what the outermost trusted proxy wrote was written by the client and can be forged.
With `TRUSTED_PROXY_HOPS = n`, the client is the n-th address from the right of
`X-Forwarded-For + [REMOTE_ADDR]`; with 0 (no proxy, the default) the header is ignored. An entry
written with the client's port ("203.0.113.5:51234", "[2001:db8::1]:443") is that address; anything else
that is no address falls back to REMOTE_ADDR.
"""

import ipaddress
import re
from typing import Any

from django.conf import settings

# An address as proxies write it with the client's port: "203.0.113.5:51234", "[2001:db8::1]:443" (or
# "[2001:db8::1]"). Brackets are for IPv6 only, and the port is 0 to 65535 in ASCII digits.
_WITH_PORT = re.compile(r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<ipv4>[0-9.]+))(?::(?P<port>[0-9]{1,5}))?")


def _address(text: str) -> str | None:
    """The address `text` names, with or without the client's port; None for anything else."""
    text = text.strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    match = _WITH_PORT.fullmatch(text)
    if match is None or (match["port"] is not None and int(match["port"]) > 65535):
        return None
    try:
        parsed = ipaddress.ip_address(match["ipv6"] or match["ipv4"])
    except ValueError:
        return None
    return str(parsed) if parsed.version == (6 if match["ipv6"] else 4) else None


def client_ip(request: Any) -> str:
    if request is None:
        return "unknown"
    remote = str(request.META.get("REMOTE_ADDR", "")) or "unknown"
    hops = int(getattr(settings, "TRUSTED_PROXY_HOPS", 0))
    if hops <= 0:
        return remote
    forwarded = [
        part for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()
    ]
    chain = [*forwarded, remote]
    # Fewer entries than hops: the outer proxies were bypassed, and the leftmost was still written
    # by a trusted proxy.
    chosen = chain[max(len(chain) - 1 - hops, 0)]
    return _address(chosen) or remote


IPV6_CLIENT_PREFIX = 64


def client_network(request: Any) -> str:
    """What the per-address limits count: the client's IPv4 address, or the /64 its IPv6 address is in.

    One IPv6 host is routinely given a /64 (2^64 addresses) and can send each request from a new one,
    so counting single IPv6 addresses limits nothing; a /64 is one client, as an IPv4 address behind
    NAT is. An IPv4 address written in IPv6 form (::ffff:a.b.c.d) is the plain IPv4 address.
    """
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False))
    return address
