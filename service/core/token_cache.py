"""Token records kept in memory, so that a request verifies its token without asking Neo4j.

Every change to a token that could make an accepted token unacceptable (a revocation, an
erasure's revocations, a wipe of the tokens) moves a token change counter in Neo4j, in
the same transaction (``graph.store.tokens``). The service's heartbeat reads that counter
a few times a second (:class:`service.watch.Heartbeat`) and hands each reading to
:meth:`TokenCache.observe`: a counter that moved (or a Neo4j that was away meanwhile, a
restore could have replaced everything) empties the cache.

A remembered record is trusted only while the last reading is recent: younger than
``fresh_for`` seconds, counted from when that reading was asked. A revocation committed
at time T is therefore honoured by time T + ``fresh_for`` by every process, even one whose
heartbeat stalls: without a recent reading the cache is not used and Neo4j is asked.
Expiry needs no counter: the record carries ``expires_at``, checked on every request.

While Neo4j cannot be asked at all, a record is still accepted for ``grace`` seconds after
it was last confirmed, so that answers from the projection keep flowing through an outage
(``auth_grace_seconds``; 0 turns that off). Unknown tokens are never remembered: a guess
costs an index seek and counts against the caller's failed-authentication budget.

Each process keeps its own cache and reads the same counter, so several worker processes
(or hosts) stay correct without sharing memory.

The web pages' sessions are remembered here too, under keys of their own
(:mod:`service.core.sessions`): ending a session moves the same counter.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from graph.store.integrity import ChangeMark


class TokenCache:
    """Token hash → record, confirmed by the token change counter (see the module)."""

    def __init__(self, *, fresh_for: float, grace: float, max_entries: int = 10_000) -> None:
        self.fresh_for = fresh_for
        self.grace = grace
        self.max_entries = max_entries
        # hash → (record, when it was read or last confirmed by a still counter)
        self._entries: OrderedDict[str, tuple[dict[str, Any], float]] = OrderedDict()
        self._lock = threading.Lock()
        self._mark: ChangeMark | None = None
        #: When the last reading that confirmed the cache was asked (monotonic), or None.
        self._confirmed_at: float | None = None
        #: Moves on every invalidation; a lookup that raced one does not store its answer.
        self.generation = 0
        self.hits = 0
        self.misses = 0

    # -- the heartbeat's side ----------------------------------------------------------
    def observe(self, mark: ChangeMark, asked_at: float) -> None:
        """A reading of the token change counter, asked at ``asked_at`` (monotonic)."""
        with self._lock:
            if self._mark is not None and mark != self._mark:
                self._invalidate()
            elif self._mark is None:
                # the first reading, or the first after Neo4j was away: trust nothing older
                self._invalidate()
            self._mark = mark
            self._confirmed_at = asked_at
            # still counter: what was read before the reading was asked is confirmed by it
            for key, (record, read_at) in self._entries.items():
                if read_at < asked_at:
                    self._entries[key] = (record, asked_at)

    def lost(self) -> None:
        """The heartbeat could not read the counter: rely on the cache no longer (the grace
        for outages still applies), and start afresh at the next reading."""
        with self._lock:
            self._mark = None
            self._confirmed_at = None

    def clear(self) -> None:
        """Forget every record (after a revocation through this process)."""
        with self._lock:
            self._invalidate()

    def _invalidate(self) -> None:
        self._entries.clear()
        self.generation += 1

    # -- the request's side ------------------------------------------------------------
    @property
    def fresh(self) -> bool:
        confirmed = self._confirmed_at
        return confirmed is not None and time.monotonic() - confirmed < self.fresh_for

    def get(self, token_hash: str) -> dict[str, Any] | None:
        """The record, when the cache may answer for it now; None means "ask Neo4j"."""
        if not self.fresh:
            return None
        with self._lock:
            entry = self._entries.get(token_hash)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(token_hash)
            self.hits += 1
            return entry[0]

    def put(self, token_hash: str, record: dict[str, Any] | None, generation: int, read_at: float) -> None:
        """Remember a record read from Neo4j at ``read_at``, unless the cache was
        invalidated since ``generation`` was taken (the read may predate a revocation)."""
        with self._lock:
            if generation != self.generation:
                return
            if record is None:
                self._entries.pop(token_hash, None)
                return
            self._entries[token_hash] = (record, read_at)
            self._entries.move_to_end(token_hash)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def replace(self, token_hash: str, record: dict[str, Any]) -> None:
        """Put ``record`` in place of a remembered one (its own change, made in Neo4j by
        this process: a session's last use), keeping when it was confirmed; nothing when
        the cache forgot it meanwhile."""
        with self._lock:
            entry = self._entries.get(token_hash)
            if entry is not None:
                self._entries[token_hash] = (record, entry[1])

    def recall(self, token_hash: str) -> dict[str, Any] | None:
        """During an outage: the record if confirmed at most ``grace`` seconds ago."""
        if self.grace <= 0:
            return None
        with self._lock:
            entry = self._entries.get(token_hash)
        if entry is None or time.monotonic() - entry[1] > self.grace:
            return None
        return entry[0]
