"""Audit entries written off the request path: queued, then written in batches by one thread.

A request's entry is queued when its response has been sent (``AuditMiddleware``); the
writer thread takes everything queued, writes it in one transaction, and repeats. Under
load the entries of many requests share a transaction; alone, an entry is written within
milliseconds. Nothing waits on Neo4j for it but this thread.

What can be lost, and when (docs/reliability.md, "The audit log"): on a graceful stop the
queue is drained before the store closes (:meth:`AuditWriter.stop`); a crash (SIGKILL,
power) loses the entries queued but not yet committed, normally those of the requests
answered during one batch's write; while Neo4j is away entries wait in memory, up to
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


class AuditWriter:
    def __init__(
        self, store: Store, *, batch: int = 1000, max_pending: int = 100_000, retry_every: float = 1.0
    ) -> None:
        self.store = store
        self.batch = batch
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
            while self._written < target:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return False
                self._cond.wait(left)
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

    def _run(self) -> None:
        failing = False
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if not self._pending:  # stopping and drained
                    return
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
