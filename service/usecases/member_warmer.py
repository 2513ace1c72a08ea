"""Fill the member cache in bulk, so that profiles are not read one Neo4j query at a time.

:class:`MemberReads` keeps what requests read until the graph changes, then drops all of
it; until each member is asked again, every profile was a Neo4j round trip from a pool
thread in the request path, at the hbs tier's load test p50 250 ms under load, and the
slowest kind of request (bench/RESULTS.md). :class:`MemberWarmer` reads them ahead, in a
thread of its own, one query per batch of ``batch`` members (a profile and a contact
query), and only once the projection serves (``/health`` shows it first):

- at start, the members asked meanwhile, then the first ``preload`` live members of the
  projection (``ALUMNI_GRAPH_MEMBER_CACHE_PRELOAD``; all of them for ``serve``);
- after every change (the cache's key moved and then stood still for ``quiet`` seconds),
  the members asked since the previous fill first (what traffic reads), then again the
  first ``preload`` members not kept yet, paced to at most ``share`` of the thread's time:
  every change drops the whole cache, and a club that writes every minute must not keep a
  worker's CPU and Neo4j re-reading members nobody asked for (at the hbs tier one unpaced
  re-read takes minutes of both).

A fill stops where the cache's memory bound would be near (:meth:`MemberReads.room`), and
keeps nothing it read under a key that moved meanwhile, by the same rule as a request's
read (:meth:`MemberReads.fill`), so a consent change, a hiding or an erasure is never
answered from what was read before it; the consent filters run on every answer.
:meth:`MemberWarmer.state` says how far it got (``/health`` shows it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable
from itertools import islice
from typing import Any

from graph.projection import Projection
from graph.store import StoreError
from service.periodic import Periodic
from service.usecases.member_reads import MemberReads

log = logging.getLogger("alumni_graph.service")


class MemberWarmer(Periodic):
    """Fills ``reads`` in a thread of its own for the projection ``current()`` serves."""

    name = "member-warmer"
    failure = "filling the member cache failed"
    # Neo4j away: requests answer as they can; the next turn tries again
    expected = (StoreError,)

    def __init__(
        self,
        reads: MemberReads,
        current: Callable[[], Projection | None],
        *,
        preload: int,
        batch: int = 500,
        quiet: float = 1.0,
        interval: float = 0.25,
        share: float = 0.25,
    ) -> None:
        super().__init__(interval)
        self.reads = reads
        self.current = current
        self.preload = preload
        self.batch = batch
        self.quiet = quiet
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], not {share}")
        self.share = share
        #: completed fills and the members each kept (the first is the preload)
        self.fills: list[int] = []
        #: seconds from the warmer's start (the projection serves) until the first fill
        #: completed (None: not yet)
        self.first_fill_s: float | None = None
        self._started = time.monotonic()
        self._filled: Hashable = None
        self._pending: Hashable = None
        self._pending_since = 0.0
        self._first = True

    def state(self) -> dict[str, Any]:
        """What the cache holds and whether the fill for the graph as it is now is done
        (``filled``): a benchmark waits for it rather than sleeping."""
        p = self.current()
        filled = p is not None and not self._first and self.reads.current_key(p) == self._filled
        return {
            **self.reads.state(),
            "filled": filled,
            "fills": len(self.fills),
            "first_fill_s": self.first_fill_s,
        }

    def step(self) -> bool:
        """Fill when due (see the module); True when a fill completed."""
        p = self.current()
        if p is None:
            return False
        key = self.reads.current_key(p)
        if key == self._filled:
            return False
        now = time.monotonic()
        if key != self._pending:
            self._pending, self._pending_since = key, now
        if not self._first and now - self._pending_since < self.quiet:
            return False  # a batch of changes may still be coming in
        asked = self.reads.take_asked()
        kept = self.reads.kept_ids()
        first = [i for i in asked if i not in kept]
        chosen = set(first)
        rest = [i for i in islice(p.index, self.preload) if i not in chosen and i not in kept]
        ids = first + rest
        read = self._fill(key, ids, len(first), paced=not self._first)
        if read is None:
            return False
        if self._first:
            self.first_fill_s = round(time.monotonic() - self._started, 1)
        self._first = False
        self._filled = key
        self.fills.append(read)
        return True

    def _fill(self, key: Hashable, ids: list[str], asked: int, *, paced: bool) -> int | None:
        """Read ``ids`` batch by batch (the first ``asked`` of them were asked by requests):
        how many were kept, or None when a change came in or the warmer stopped meanwhile.
        When ``paced``, each batch past the asked ones is followed by a rest that keeps
        the reading to ``share`` of the time."""
        started = time.perf_counter()
        read = 0
        for at in range(0, len(ids), self.batch):
            if self._stop.is_set():
                return None
            if not self.reads.room():
                log.warning(
                    "the member cache is near its bound (ALUMNI_GRAPH_MEMBER_CACHE_MIB): "
                    "%d of %d members not read",
                    len(ids) - at,
                    len(ids),
                )
                break
            batch_started = time.perf_counter()
            if not self.reads.fill(key, ids[at : at + self.batch]):
                # a change came in: what requests asked is read first after it
                self.reads.remember_asked(ids[at:asked])
                return None
            read = min(len(ids), at + self.batch)
            if paced and at >= asked and read < len(ids):
                took = time.perf_counter() - batch_started
                if self._rest(took * (1 / self.share - 1)):
                    return None
        if read:
            seconds = time.perf_counter() - started
            log.info("read %d members into the member cache in %.1f s", read, seconds)
        return read

    def _rest(self, seconds: float) -> bool:
        """Wait ``seconds`` between paced batches; True when the warmer was stopped."""
        return self._stop.wait(seconds)


def start_member_warmer(
    reads: MemberReads | None, current: Callable[[], Projection | None], preload: int
) -> MemberWarmer | None:
    """A started :class:`MemberWarmer` over ``reads``, ``preload`` members read at start
    (None when there is no cache)."""
    return None if reads is None else MemberWarmer(reads, current, preload=preload).start()
