"""Builds the projection at start and keeps it current with writes made by other processes.

The projection hears every write made through the service's own store, but a load run
with ``alumni-graph load`` is another process. Every batched write moves a change
counter in Neo4j (in the batch's own transaction); this thread reads it every few
seconds and, when it moved by more than the service's own batches, rebuilds the
projection in the background (the old one serves meanwhile). A running load moves the
counter every batch, so the rebuild waits until it has been still for ``quiet`` seconds,
or at most ``max_lag`` seconds, so that a long load does not mean a rebuild per poll.

The same poll probes Neo4j while it is down, so that requests flow again as soon as it
answers (and the projection is built then, if the service started without one). A
:class:`Heartbeat` does this more often when it runs (``serve``): several times a second it
reads the token change counter for the token cache (:mod:`service.core.token_cache`), and
that reading is also the probe. While it runs, requests never try a Neo4j that failed: they
answer 503 with ``Retry-After`` until the heartbeat's reading succeeds, so that none of them
waits on a server that is still starting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from graph.projection import Projection, ProjectionService, ReloadInProgress
from graph.store import Store, StoreError, StoreUnavailable
from graph.store.base import WriteEvent
from graph.store.integrity import ChangeMark
from graph.tombstones import JournalBindingError, TombstoneKeyError
from service.core.token_cache import TokenCache
from service.periodic import Periodic
from service.snapshots import Snapshots

log = logging.getLogger("alumni_graph.service")


def start_projection(
    store: Store, snapshots: Snapshots | None = None
) -> tuple[ProjectionService, ChangeMark | None]:
    """Subscribe to the store and build the first projection (progress in the log), or map
    the last snapshot when Neo4j has not changed since (:meth:`Snapshots.start`). Returns
    the service and the change counter its projection is current at (None: not known).

    When Neo4j is not there yet the service still starts; the projection's routes answer
    503 until ``POST /admin/reload`` succeeds (or the watcher's heartbeat builds it).
    """
    service = ProjectionService(store)
    try:
        if snapshots is not None:
            return service, snapshots.start(store, service)
        service.reload()
    except StoreUnavailable as exc:
        log.warning("could not build the projection at start (%s); POST /admin/reload later", exc)
    return service, None


class ChangeWatcher:
    def __init__(
        self,
        store: Store,
        projection: ProjectionService,
        *,
        interval: float = 2.0,
        quiet: float | None = None,
        max_lag: float = 60.0,
        after_reload: Callable[[Projection], object] | None = None,
        listeners: Sequence[Callable[[WriteEvent], object]] = (),
        snapshots: Snapshots | None = None,
        seen: ChangeMark | None = None,
    ) -> None:
        self.store = store
        #: hear the other processes' writes as the store's listeners hear this one's
        self.listeners = tuple(listeners)
        self.snapshots = snapshots
        # e.g. the learned ranker's retraining when the club drifted
        self.after_reload = after_reload
        self.projection = projection
        self.interval = interval
        self.quiet = interval * 2 if quiet is None else quiet
        self.max_lag = max_lag
        self.reloads = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="change-watcher", daemon=True)
        # the counter the projection is current at, when the caller knows it (from before
        # the build or of the snapshot): a write after it is then not missed
        self._seen: ChangeMark | None = seen
        self.replayed = 0

    @property
    def seen(self) -> ChangeMark | None:
        """The change counter the projection is current at (moves with every outside change)."""
        return self._seen

    def start(self) -> ChangeWatcher:
        if self._seen is None:
            try:
                self._seen = self.store.changes()
            except StoreError:
                self._seen = None  # learnt at the first poll that reaches Neo4j
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def wake(self, mark: ChangeMark) -> None:
        """Poll now if the heartbeat saw the counter at another ``mark`` than the last poll."""
        if mark != self._seen:
            self._wake.set()

    def _run(self) -> None:
        foreign_since: float | None = None  # when a change by someone else was first seen
        moved_at = time.monotonic()
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            # while Neo4j is down requests fail fast; this probe is what lets them through again
            if not self.store.available and not self.store.probe():
                continue
            try:
                now = self.store.changes()
            except StoreError:
                continue  # down: the next poll tries again
            clock = time.monotonic()
            if self._seen is None or self.projection.current is None:
                foreign_since = foreign_since or clock
                moved_at = clock - self.quiet  # nothing to wait for: build now
            elif now != self._seen:
                if not self._replay(self._seen, now) and foreign_since is None:
                    foreign_since = clock
                moved_at = clock
            self._seen = now
            due = foreign_since is not None and (
                clock - moved_at >= self.quiet or clock - foreign_since >= self.max_lag
            )
            if due and self._reload(now):
                foreign_since = None
            elif foreign_since is None and clock - moved_at >= self.quiet and self.snapshots is not None:
                # still for the quiet time, every write up to ``now`` is in the projection
                try:
                    self.snapshots.settle(self.projection, now)
                except Exception:  # the snapshot is an optimisation: the service serves on
                    log.exception("keeping the projection's snapshot failed")

    def _replay(self, since: ChangeMark, now: ChangeMark) -> bool:
        """Apply the other processes' logged writes from ``since`` to ``now`` to the
        projection, as if made here; False when they cannot be (then it is rebuilt)."""
        try:
            events = self.store.foreign_changes(since, now)
        except StoreError:
            return False
        if events is None:
            return False
        events = self._name_erased(events, now)
        if events is None:
            return False
        for event in events:
            self.projection.on_write(event)
            if self.snapshots is not None:
                self.snapshots.heard(event)  # the older snapshots must go: see Snapshots
            for listener in self.listeners:
                try:
                    listener(event)
                except Exception:  # as the store's listeners: the write stands, the log says
                    log.exception("a listener failed on %s replayed", event.kind)
        self.replayed += len(events)
        return True

    def _name_erased(self, events: list[WriteEvent], now: ChangeMark) -> list[WriteEvent] | None:
        """``events`` with each logged erasure's tombstone hash turned into the member it
        names in the projection; None when that cannot be done here (no tombstone key, no
        projection): then the projection is rebuilt."""
        named: list[WriteEvent] = []
        for event in events:
            if event.kind != "member_deleted":
                named.append(event)
                continue
            current = self.projection.current
            try:
                key = self.store.tombstone_files.key()
            except TombstoneKeyError:
                key = None
            if key is None or current is None:
                return None
            change = {"epoch": now.epoch, "counter": now.counter}
            found = [row["id"] for row in event.rows if "id" in row]
            hashes = {row["key_hash"] for row in event.rows if "key_hash" in row}
            if hashes:
                found += key.matching(list(current.index), hashes)
            named.append(WriteEvent(event.kind, [{"id": m, "change": change} for m in found]))
        return named

    def _reload(self, mark: ChangeMark) -> bool:
        # the outside change may be a restored backup older than some erasures
        reapply_tombstones(self.store)
        if self.projection.current is None and self.snapshots is not None:
            mapped = self.snapshots.open_at(mark)  # Neo4j came back unchanged since the last one
            if mapped is not None:
                self.snapshots.adopt(self.projection, mapped)
                return True
        try:
            fresh = self.projection.reload()
        except ReloadInProgress:
            return False  # someone's reload is building; it may have started too early
        except StoreError as exc:
            log.warning("could not rebuild the projection after an outside change: %s", exc)
            return False
        except Exception:  # a bad build must not stop the watching; the old projection serves
            log.exception("rebuilding the projection after an outside change failed")
            return False
        self.reloads += 1
        log.info("projection rebuilt after a change by another process (counter %s)", mark.counter)
        if self.snapshots is not None:
            # the outside change may have been an erasure: no older snapshot may keep it
            self.snapshots.write(fresh, mark, wait=True, purge=True)
        if self.after_reload is not None:
            try:
                self.after_reload(fresh)
            except Exception:  # the new projection serves whatever became of the hook
                log.exception("the hook after a rebuild failed")
        return True


class Heartbeat(Periodic):
    """Reads the token change counter every ``interval`` seconds (see the module).

    The reading is asked even while calls fail fast, so it is the probe that lets requests
    through again; a failed reading makes the token cache stop answering alone."""

    name = "heartbeat"
    failure = "the heartbeat's reading failed"

    def __init__(
        self, store: Store, cache: TokenCache, interval: float, watcher: ChangeWatcher | None = None
    ) -> None:
        super().__init__(interval)
        self.store = store
        self.cache = cache
        #: woken when the graph's counter moved, so that other processes' writes come in
        #: within a heartbeat rather than a poll
        self.watcher = watcher
        self.beats = 0

    def start(self) -> Heartbeat:
        self.store.probed = True
        self.beat()
        return super().start()

    def stop(self) -> None:
        super().stop()
        self.store.probed = False

    def step(self) -> bool:
        return self.beat()

    def beat(self) -> bool:
        asked_at = time.monotonic()
        try:
            graph_mark, mark = self.store.change_marks(probe=True)
        except StoreError:
            self.cache.lost()
            return False
        except Exception:  # the heartbeat must go on, whatever one reading did
            log.exception("the heartbeat's reading failed")
            self.cache.lost()
            return False
        self.cache.observe(mark, asked_at)
        if self.watcher is not None:
            self.watcher.wake(graph_mark)
        self.beats += 1
        return True


def start_heartbeat(store: Store, cache: TokenCache | None, interval: float) -> Heartbeat | None:
    """Start the heartbeat every ``interval`` seconds (0, or no cache: not at all)."""
    if interval <= 0 or cache is None:
        return None
    return Heartbeat(store, cache, interval).start()


def reapply_tombstones(store: Store, *, at_start: bool = False) -> bool:
    """Put back tombstones missing from Neo4j and erase the members they match (see
    ``Store.reapply_tombstones``); False when that could not be done now (it is logged).

    A database bound to another key and journal (``JournalBindingError``) stops the start
    (``at_start``): a service must not answer for a database whose erasures it cannot
    keep. Later, after an outside change, it is logged, and nothing is erased.
    """
    try:
        done = store.reapply_tombstones()
    except JournalBindingError as exc:
        log.error("the tombstones of erased members were not re-applied: %s", exc)
        if at_start:
            raise
        return False
    except (StoreError, TombstoneKeyError) as exc:
        log.error("could not re-apply the tombstones of erased members: %s", exc)
        return False
    if done.restored or done.journaled:
        log.warning(
            "re-applied %d tombstone(s) missing from Neo4j (erased %d member(s) again), journaled %d",
            done.restored,
            done.erased,
            done.journaled,
        )
    return True


def start_watcher(
    store: Store,
    projection: ProjectionService,
    interval: float,
    after_reload: Callable[[Projection], object] | None = None,
    snapshots: Snapshots | None = None,
    seen: ChangeMark | None = None,
    listeners: Sequence[Callable[[WriteEvent], object]] = (),
) -> ChangeWatcher | None:
    """Start watching for outside changes every ``interval`` seconds (0: not at all);
    ``after_reload`` is called with each projection the watcher rebuilt; ``listeners``
    with each write of another process it applied to the projection; ``snapshots``
    are kept current (:meth:`Snapshots.settle`); ``seen`` is the counter the projection is
    current at, when known."""
    if interval <= 0:
        return None
    return ChangeWatcher(
        store,
        projection,
        interval=interval,
        after_reload=after_reload,
        listeners=listeners,
        snapshots=snapshots,
        seen=seen,
    ).start()
