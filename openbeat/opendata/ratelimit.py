"""The API's rate limit, as data.police.uk's: 15 requests a second per client on average, bursts of up to 30.

Counted per real client address (`core.clientaddr`, so behind the force's proxies it is the client's, not the
proxy's) in the shared cache (the database, or Redis), so every process and host counts together.

Why a fixed window rather than a true leaky bucket: the limit runs on every API call, and a leaky bucket needs a
read and a conditional write (two cache round trips, and a race between them without a lock or a script). A
window of BURST / RATE seconds (2 s) allowing BURST requests costs one atomic `incr`: a steady 15 a second passes,
30 at once passes, the 31st within the window is refused. The price is the edge of a window: a client can get up
to twice the burst across two windows' boundary, which is harmless for a limit meant to keep one client from
crowding out the others.

`OPENDATA_RATE_EXEMPT` lists networks that are never limited (the force's own apps, the benchmark).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from openbeat.core.clientaddr import client_address

KEY_PREFIX = "opendata:rate"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


ALLOWED = Verdict(True)


def _now() -> float:
    return time.time()


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _exempt(address: str) -> bool:
    entries = tuple(settings.OPENDATA_RATE_EXEMPT)
    if not entries:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip.version == network.version and ip in network for network in _networks(entries))


def _count(key: str, timeout: int) -> int:
    """One more request under `key`: one `incr` in the common case (the key exists)."""
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request (or its key expired)
        if cache.add(key, 1, timeout):
            return 1
        return cache.incr(key)  # another process added it meanwhile


def check(request: HttpRequest) -> Verdict:
    """Count this request against its client's limit; refused with the seconds until the window ends."""
    address = client_address(request)
    if address is None or _exempt(address):
        return ALLOWED
    rate = max(float(settings.OPENDATA_RATE_PER_SECOND), 0.001)
    burst = max(int(settings.OPENDATA_RATE_BURST), 1)
    window = burst / rate
    now = _now()
    index = int(now // window)
    # Hashed so that no address is kept in the cache in clear.
    client = hashlib.sha256(address.encode()).hexdigest()[:24]
    count = _count(f"{KEY_PREFIX}:{client}:{window:g}:{index}", math.ceil(window) + 1)
    if count <= burst:
        return ALLOWED
    return Verdict(False, max(math.ceil((index + 1) * window - now), 1))
