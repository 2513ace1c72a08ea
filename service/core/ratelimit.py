"""Rate limits: token buckets kept in memory, per token and per client address.

Each bucket holds up to ``per_minute`` requests (the burst) and refills at
``per_minute / 60`` a second. In memory is enough for one process. Several processes
(``serve --workers N``) keep their buckets together in a file each maps
(:class:`SharedRateLimiter`, ``ALUMNI_GRAPH_SHARED_STATE_DIR``), so that a limit is the
same whichever worker a request reaches.

Two limits use them: :class:`RateLimiter` keyed by token id for the requests of valid
tokens, and :class:`AuthFailureThrottle` keyed by client address for failed
authentications (no token, a malformed, unknown, revoked or expired one, a bad JWT).
:class:`HourlyLimiter` counts sign-in links per client address and per e-mail address.
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import mmap
import os
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
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


class SharedRateLimiter(RateLimiter):
    """:class:`RateLimiter` whose buckets live in ``path``, a file every process maps.

    The file is a table of ``SLOTS`` buckets ``(key hash, tokens, last)``; a key takes the
    first of ``PROBE`` slots from its hash that holds it, is empty, or holds a bucket that
    has refilled to the full burst — a full bucket is the same as a forgotten one, so it
    can be given to another key. Each take is one read and one write of a slot under an
    exclusive ``flock`` (and a thread lock, which ``flock`` does not give between the
    threads of one process); a peek only reads (see :meth:`peek`). ``time.monotonic`` is
    the host's clock, the same in every process. When all ``PROBE`` slots hold other
    keys' partly used buckets (thousands of keys at once, all busy), the first is taken
    over: that key starts afresh.
    """

    SLOTS = 1 << 16
    PROBE = 8
    _SLOT = struct.Struct("<Qdd")

    def __init__(
        self,
        per_period: int,
        path: str | Path,
        *,
        period: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(per_period, clock=clock)
        self.rate = per_period / period
        size = self.SLOTS * self._SLOT.size
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            if os.fstat(self._fd).st_size < size:
                os.ftruncate(self._fd, size)  # zeros: every slot empty
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._table = mmap.mmap(self._fd, size)

    def _take(self, key: str) -> float:
        """Refill ``key``'s bucket, take a request from it when it holds one, and return
        the seconds to wait (0.0 when allowed)."""
        h = self._hash(key)
        now = self._clock()
        with self._lock:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                slot, tokens, last = self._find(h, now)
                tokens, wait = self._refilled(tokens, last, now)
                if not wait:
                    tokens -= 1.0
                self._SLOT.pack_into(self._table, slot * self._SLOT.size, h, tokens, now)
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        return wait

    @staticmethod
    def _hash(key: str) -> int:
        return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little") or 1

    def _refilled(self, tokens: float, last: float, now: float) -> tuple[float, float]:
        """The bucket's tokens at ``now``, and the seconds until it holds a request."""
        tokens = min(self.capacity, tokens + max(0.0, now - last) * self.rate)
        return tokens, (0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate)

    def _find(self, h: int, now: float) -> tuple[int, float, float]:
        first = h % self.SLOTS
        free = None
        for k in range(self.PROBE):
            slot = (first + k) % self.SLOTS
            held, tokens, last = self._SLOT.unpack_from(self._table, slot * self._SLOT.size)
            if held == h:
                return slot, tokens, last
            if free is None and (held == 0 or tokens + (now - last) * self.rate >= self.capacity):
                free = slot
        return (first if free is None else free), self.capacity, now

    def acquire(self, key: str) -> float:
        if self.capacity <= 0:
            return 0.0
        return self._take(key)

    def peek(self, key: str) -> float:
        """As :meth:`RateLimiter.peek`, without a lock: the failure throttle peeks at every
        request, and an exclusive ``flock`` for each made the workers queue behind one
        another (one descheduled while holding it held up all). A read that meets a write
        of the same slot half done sees the bucket a moment before or after that failure,
        as a request a moment earlier or later would: it may let one more attempt through."""
        if self.capacity <= 0:
            return 0.0
        now = self._clock()
        _, tokens, last = self._find(self._hash(key), now)
        return self._refilled(tokens, last, now)[1]


def limiter(per_period: int, shared_dir: Path | None, name: str, *, period: float = 60.0) -> RateLimiter:
    """A limiter of ``per_period`` requests per ``period`` seconds: in memory, or kept in
    ``shared_dir``/``name`` with the other processes' when a shared folder is given."""
    if shared_dir is not None:
        shared_dir.mkdir(parents=True, exist_ok=True)
        return SharedRateLimiter(per_period, shared_dir / f"{name}.buckets", period=period)
    if period == 3600.0:
        return HourlyLimiter(per_period)
    limit = RateLimiter(per_period)
    limit.rate = per_period / period
    return limit


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
        self,
        per_minute: int,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
        buckets: RateLimiter | None = None,
    ) -> None:
        self._buckets = buckets or RateLimiter(per_minute, max_keys=max_keys, clock=clock)

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
