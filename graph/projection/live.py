"""The serving projection: built from Neo4j, kept current by the store's write events, and
rebuilt on demand while the old one keeps serving.

Readers take ``service.current`` once per request and use that object throughout; a
reload builds a new projection off to the side and swaps the reference (one atomic
assignment), so readers never wait. Writes that commit while a rebuild runs are applied
to the serving projection at once and replayed on the new one before the swap — the
projection's ``apply`` is idempotent, so a write the build already read is harmless.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graph.projection.build import build_from_store
from graph.projection.layout import Projection

if TYPE_CHECKING:
    from graph.store import Store, WriteEvent

log = logging.getLogger(__name__)


class ReloadInProgress(RuntimeError):
    """A rebuild is already running; the caller should try again later."""


class ProjectionService:
    """Holds the serving projection for a store; subscribe once, read ``current``."""

    def __init__(self, store: Store, builder: Callable[[Store], Projection] = build_from_store) -> None:
        self.store = store
        self.builder = builder
        self._current: Projection | None = None
        self._pending: list[WriteEvent] | None = None
        self._swap = threading.Lock()
        self._reloading = threading.Lock()
        store.subscribe(self.on_write)

    @property
    def current(self) -> Projection | None:
        return self._current

    def close(self) -> None:
        self.store.unsubscribe(self.on_write)

    def on_write(self, event: WriteEvent) -> None:
        """The store's listener: apply a committed write (and keep it for a running reload)."""
        with self._swap:
            target = self._current
            if self._pending is not None:
                self._pending.append(event)
        if target is not None:
            target.apply(event.kind, event.rows)

    def reload(self) -> Projection:
        """Build a new projection from Neo4j and swap it in; the old one serves meanwhile.

        Raises :class:`ReloadInProgress` when another reload runs, and whatever the store
        raises (``StoreUnavailable``) when Neo4j cannot be read — the old projection stays.
        """
        if not self._reloading.acquire(blocking=False):
            raise ReloadInProgress("a reload is already running")
        try:
            with self._swap:
                self._pending = []
            try:
                fresh = self.builder(self.store)
            except BaseException:
                with self._swap:
                    self._pending = None
                raise
            with self._swap:
                old = self._current
                fresh.version = (old.version + 1) if old is not None else fresh.version
                for event in self._pending or []:
                    fresh.apply(event.kind, event.rows)
                self._pending = None
                self._current = fresh
            # Millions of long-lived tuples and arrays make each full pass of the cyclic
            # collector take about a second at 320,000 members, paid by whichever request
            # triggers it; frozen objects are skipped by the collector, while refcounting
            # still frees an old projection (it holds no cycles) once no request uses it.
            gc.freeze()
            log.info("projection swapped in: %s", fresh.info())
            return fresh
        finally:
            self._reloading.release()

    def adopt(self, fresh: Projection) -> None:
        """Serve ``fresh``, made elsewhere (a snapshot mapped in), from now on.

        The caller vouches that ``fresh`` holds every write this service has applied (its
        change counter is the one ``fresh`` is stamped with). Raises
        :class:`ReloadInProgress` while a reload runs, which would swap in its own.
        """
        if not self._reloading.acquire(blocking=False):
            raise ReloadInProgress("a reload is running")
        try:
            with self._swap:
                old = self._current
                if old is not None:
                    fresh.version = max(fresh.version, old.version + 1)
                self._current = fresh
            log.info("projection swapped in from a snapshot: %s", fresh.info())
        finally:
            self._reloading.release()

    def info(self) -> dict[str, Any]:
        """Size and version for ``/health`` (zeros before the first build)."""
        current = self._current
        if current is None:
            return {"members": 0, "ties": 0, "version": 0, "built_at": None, "snapshot": None}
        return current.info()
