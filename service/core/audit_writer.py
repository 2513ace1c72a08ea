"""Audit entries written off the request path: queued, then written in batches by one thread.

A request's entry is queued when its response has been sent (``AuditMiddleware``); the
writer thread waits ``linger`` seconds after the first entry for others to join it (not
when a batch is full, a reader flushes or the writer stops), writes everything queued in
one transaction, and repeats. So the entries of many requests share a transaction even
when they come one after another: written one by one, each cost a transaction's work in
the worker (the driver's, and the thread taking the interpreter from the requests) about
as dear as the request itself. Nothing waits on Neo4j for it but this thread.

What can be lost, and when (docs/reliability.md, "The audit log"): on a graceful stop the
queue is drained before the store closes (:meth:`AuditWriter.stop`); a crash (SIGKILL,
power) loses the entries queued but not yet committed, normally those of the requests
answered during the linger and one batch's write; while Neo4j is away entries wait in memory, up to
``max_pending`` (beyond, the newest are dropped and counted in the log), and are written
when it answers again. Readers of the log in this process (``GET /admin/audit``, a
member's export, an erasure that replaces the member's id) call :meth:`flush` first, so
that they see every entry of the requests answered before them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

from graph.store import Store, StoreError

log = logging.getLogger(__name__)


#: How long the writer waits after an entry for more to share its transaction.
LINGER_SECONDS = 0.1


class AuditWriter:
    def __init__(
        self,
        store: Store,
        *,
        batch: int = 1000,
        max_pending: int = 100_000,
        retry_every: float = 1.0,
        linger: float = LINGER_SECONDS,
    ) -> None:
        self.store = store
        self.batch = batch
        self.linger = linger
        self._flushing = 0  # readers waiting in flush(): no lingering for them
        self.max_pending = max_pending
        self.retry_every = retry_every
        self._pending: deque[dict[str, Any]] = deque()
        self._cond = threading.Condition()
        self._queued = 0  # entries queued so far (a sequence number)
        self._written = 0  # of those, entries committed or given up on
        self._stopping = False
        self.dropped = 0
        self.batches = 0
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)

    def start(self) -> AuditWriter:
        self._thread.start()
        return self

    def submit(self, entry: dict[str, Any]) -> None:
        """Queue one entry (never blocks, never touches Neo4j)."""
        with self._cond:
            if len(self._pending) >= self.max_pending:
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 1000 == 0:
                    log.error(
                        "the audit queue is full (%d entries, Neo4j away?); %d entries dropped",
                        self.max_pending,
                        self.dropped,
                    )
                return
            self._pending.append(entry)
            self._queued += 1
            # wake the writer when it waits for a first entry or a batch is full; not for
            # each entry while it lingers (a thread woken per request costs what lingering saves)
            if len(self._pending) in (1, self.batch):
                self._cond.notify_all()

    @property
    def pending(self) -> int:
        with self._cond:
            return self._queued - self._written

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every entry queued before this call is written; False on timeout
        (Neo4j away: they stay queued)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            target = self._queued
            self._flushing += 1
            self._cond.notify_all()  # a lingering writer writes at once
            try:
                while self._written < target:
                    left = deadline - time.monotonic()
                    if left <= 0 or not self._thread.is_alive():
                        return False
                    self._cond.wait(left)
            finally:
                self._flushing -= 1
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """Drain the queue (for at most ``timeout`` seconds), then end the thread."""
        drained = self.flush(timeout)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout=timeout)
        if not drained:
            log.error("stopping with %d audit entries not written (Neo4j did not answer)", self.pending)

    def _linger(self) -> None:
        """With the condition held: wait up to ``linger`` for more entries, unless a batch
        is full, a reader waits in :meth:`flush` or the writer is stopping."""
        until = time.monotonic() + self.linger
        while len(self._pending) < self.batch and not self._flushing and not self._stopping:
            left = until - time.monotonic()
            if left <= 0:
                return
            self._cond.wait(left)

    def _run(self) -> None:
        failing = False
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if not self._pending:  # stopping and drained
                    return
                self._linger()
                taken = [self._pending.popleft() for _ in range(min(self.batch, len(self._pending)))]
            try:
                self.store.append_audit_many(taken)
            except StoreError as exc:
                with self._cond:
                    self._pending.extendleft(reversed(taken))  # keep their order, retry later
                    stopping = self._stopping
                if not failing:
                    log.error("could not write %d audit entries, will retry: %s", len(taken), exc)
                failing = True
                if stopping:
                    return
                time.sleep(self.retry_every)
                continue
            except Exception:  # a bad entry must not stop the writing of the others
                log.exception("could not write %d audit entries; they are dropped", len(taken))
            if failing:
                log.warning("audit entries are written again")
            failing = False
            with self._cond:
                self._written += len(taken)
                self.batches += 1
                self._cond.notify_all()
