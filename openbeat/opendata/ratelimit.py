"""The API's rate limit, as data.police.uk's: 15 requests a second per client on average, bursts of up to 30.

Counted per real client address (`core.clientaddr`, so behind the force's proxies it is the client's, not the
proxy's) in the shared cache (the database, or Redis), so every process and host counts together.

Why a fixed window rather than a true leaky bucket: the limit runs on every API call, and a leaky bucket needs a
read and a conditional write (two cache round trips, and a race between them without a lock or a script). A
window of BURST / RATE seconds (2 s) allowing BURST requests costs one atomic `incr`: a steady 15 a second passes,
30 at once passes, the 31st within the window is refused. The price is the edge of a window: a client can get up
to twice the burst across two windows' boundary, which is harmless for a limit meant to keep one client from
crowding out the others.

Why leases: one shared-cache `incr` per request costs more than the API's kept answer itself (a database write
with the default cache). So a process takes its client's tokens from the shared count a few at a time: it adds
a lease of n to the window's count (one `incr` by n) and spends the lease locally. Leases shrink as the count
nears the burst (a quarter of what is left, at most LEASE_MAX, at least 1), so near the limit every request is
counted in the shared cache, and the sum of what every process let through never exceeds the burst. The price:
tokens one process leased and its client did not spend there are lost for that window, so a client whose
requests alternate between processes may be refused a few requests early; never late. Once a window's count is
spent, the process refuses that client until the window ends without asking the cache again.

`OPENDATA_RATE_EXEMPT` lists networks that are never limited (the force's own apps, the benchmark).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from openbeat.core.clientaddr import client_address

KEY_PREFIX = "opendata:rate"
LEASE_MAX = 16


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


def _count(key: str, timeout: int, delta: int) -> int:
    """`delta` more tokens taken under `key`: one `incr` in the common case (the key exists)."""
    try:
        return cache.incr(key, delta)
    except ValueError:  # the window's first lease (or its key expired)
        if cache.add(key, delta, timeout):
            return delta
        return cache.incr(key, delta)  # another process added it meanwhile


@dataclass
class _Lease:
    remaining: int = 0  # tokens this process may still spend for the client in this window
    seen: int = 0  # the window's shared count at this process's last lease


class _Leases:
    """This process's leases, for the current window only (older windows' are dropped when a new one starts)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.window: tuple[float, int] | None = None
        self.by_client: dict[str, _Lease] = {}

    def take(self, client: str, window: tuple[float, int]) -> _Lease:
        with self.lock:
            if window != self.window:
                self.window = window
                self.by_client = {}
            return self.by_client.setdefault(client, _Lease())

    def forget(self) -> None:
        with self.lock:
            self.window = None
            self.by_client = {}


_leases = _Leases()


def forget_leases() -> None:
    """Drop this process's leases (tests, after emptying the shared cache)."""
    _leases.forget()


def _spend(lease: _Lease, key: str, timeout: int, burst: int) -> bool:
    """One token from the client's lease, leasing more from the shared count when it is spent."""
    with _leases.lock:
        if lease.remaining > 0:
            lease.remaining -= 1
            return True
    if lease.seen >= burst:
        return False  # spent for this window: no need to ask the cache again
    size = max(1, min(LEASE_MAX, (burst - lease.seen) // 4))
    count = _count(key, timeout, size)
    granted = max(0, min(size, burst - (count - size)))
    with _leases.lock:
        lease.seen = count
        lease.remaining += max(granted - 1, 0)
    return granted > 0


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
    # Hashed so that no address is kept in the cache (or this process) in clear.
    client = hashlib.sha256(address.encode()).hexdigest()[:24]
    lease = _leases.take(client, (window, index))
    if _spend(lease, f"{KEY_PREFIX}:{client}:{window:g}:{index}", math.ceil(window) + 1, burst):
        return ALLOWED
    return Verdict(False, max(math.ceil((index + 1) * window - now), 1))
