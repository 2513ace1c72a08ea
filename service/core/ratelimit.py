"""Rate limits: token buckets kept in memory, per token and per client address.

Each bucket holds up to ``per_minute`` requests (the burst) and refills at
``per_minute / 60`` a second. In memory is enough for one process; several processes
each enforce the limit on their own share.

Two limits use them: :class:`RateLimiter` keyed by token id for the requests of valid
tokens, and :class:`AuthFailureThrottle` keyed by client address for failed
authentications (no token, a malformed, unknown, revoked or expired one, a bad JWT).
:class:`HourlyLimiter` counts sign-in links per client address and per e-mail address.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any


class RateLimiter:
    """Token buckets keyed by token id; the least recently used are forgotten first."""

    def __init__(
        self,
        per_minute: int,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        # sync routes run in a thread pool, so two requests may take from one bucket at once
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Take one request from ``key``'s bucket: 0.0 when allowed, else seconds to wait."""
        if self.capacity <= 0:
            return 0.0  # a limit of 0 switches the rate limit off
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait

    def peek(self, key: str) -> float:
        """Seconds until ``key``'s bucket holds a request again (0.0 if it does), taking none."""
        if self.capacity <= 0:
            return 0.0
        with self._lock:
            entry = self._buckets.get(key)
        if entry is None:
            return 0.0
        tokens, last = entry
        tokens = min(self.capacity, tokens + (self._clock() - last) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    @staticmethod
    def retry_after(wait: float) -> str:
        """The ``Retry-After`` header value: whole seconds, at least one."""
        return str(max(1, math.ceil(wait)))


class HourlyLimiter(RateLimiter):
    """Token buckets of ``per_hour`` requests (the burst), refilled evenly over the hour:
    the sign-in links asked for per client and sent per address."""

    def __init__(self, per_hour: int, **kwargs: Any) -> None:
        super().__init__(per_hour, **kwargs)
        self.rate = per_hour / 3600.0


class AuthFailureThrottle:
    """Failed authentications per client address; an address over its share is refused.

    Every failure takes one request from the address's bucket. Once the bucket is empty,
    every request from that address that needs a token gets 429 before its token is
    looked at, valid or not: were valid tokens let through, an address guessing tokens
    would learn from the answer which guess was right, at full speed. Other addresses are
    not affected, and neither are the requests of valid tokens from an address that has
    not failed too often.
    """

    def __init__(
        self, per_minute: int, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._buckets = RateLimiter(per_minute, max_keys=max_keys, clock=clock)

    def blocked(self, address: str) -> float:
        """Seconds ``address`` must wait before trying again; 0.0 when it may try now."""
        return self._buckets.peek(address)

    def failed(self, address: str) -> None:
        """Count one failed authentication from ``address``."""
        self._buckets.acquire(address)

    retry_after = staticmethod(RateLimiter.retry_after)


def client_address(scope: Mapping[str, Any]) -> str:
    """The client's address as the server saw it (behind a proxy, what uvicorn's
    ``--forwarded-allow-ips`` lets the proxy say); ``unknown`` when there is none."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
