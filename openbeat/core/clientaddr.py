"""The address of the person at the other end of a request, behind the force's reverse proxies or not.

Rate limits, sign-in throttling and the audit log key on this. The socket's address (`REMOTE_ADDR`) is the
client's unless the request came from a proxy the force listed in `TRUSTED_PROXIES` (addresses or networks).
Only then is the proxy's header (`PROXY_CLIENT_HEADER`: `X-Forwarded-For` by default, or RFC 7239 `Forwarded`)
read, from the right: each hop a trusted proxy added is skipped, and the first address that is not a trusted
proxy is the client. Hops further left were written by the client itself and can be anything, so they are
never used; a client that sends its own `X-Forwarded-For` directly to the application gets no say at all.

Why not python-ipware (which django-axes can use): it picks an address from the header chain by position
without checking that the socket peer is one of the force's proxies, so a client that reaches the application
directly (a second host, a misrouted port) could choose its own address. This module is the one place that
decides, and `client_address()` is the one function every caller uses.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# `for=` in one element of a Forwarded header: a token, or a quoted string ("[2001:db8::1]:4711").
_FORWARDED_FOR = re.compile(r'(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks() -> tuple[IPNetwork, ...]:
    """The force's proxies, parsed once per distinct setting (tests change it)."""
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _parse(value: str) -> IPAddress | None:
    """One hop as a proxy writes it: `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:80`, `2001:db8::1`."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _hops(request: HttpRequest) -> list[str]:
    """The header's hops, left (client's claim) to right (added by the last proxy)."""
    if settings.PROXY_CLIENT_HEADER.lower() == "forwarded":
        raw = request.META.get("HTTP_FORWARDED", "")
        return [match.group(1) for element in raw.split(",") for match in [_FORWARDED_FOR.search(element)] if match]
    # Several X-Forwarded-For headers reach Django joined with commas, in order: the same list.
    return request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")


def _is_trusted(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def _walk(request: HttpRequest) -> Iterator[IPAddress]:
    for hop in reversed(_hops(request)):
        address = _parse(hop)
        if address is None:
            return  # a hop no proxy of ours wrote: stop at the last one that was trustworthy
        yield address


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address as text, or None when the request has none (a test's bare HttpRequest)."""
    if request is None:
        return None
    peer = _parse(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    networks = trusted_networks()
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    client = peer
    for address in _walk(request):
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
