"""The serving projection's snapshots (:mod:`graph.projection.snapshot`): start from the
last one when Neo4j has not changed since, write a new one after each build and, at most
every ``interval`` seconds, after a batch of changes; share them between workers.

A snapshot is stamped with the change counter it is current at. Which counter that is
matters: a build is stamped with the counter read *before* it started (it holds at least
every write up to there), and a snapshot of the serving projection with the counter the
watcher last saw, once the counter has stood still for its quiet time (every write up to
there has been applied). Stamped lower than its content is harmless — the next start sees
another counter in Neo4j and rebuilds —; stamped higher would serve a stale projection.
A counter that was never moved (``epoch`` None: a new, wiped or bulk-imported database)
says nothing of the content, so no snapshot is written or mapped at it.

Several processes (``serve --workers N``) share one folder. A file lock (``.lock``) makes
one of them build and write (before it serves) while the others wait and then map what
it wrote, so N workers starting together cost one build; later, the one that takes the lock writes the
next snapshot, and the others swap to it when they stand at the same counter.

An erased member must not stay on disk in a snapshot either. After an erasure this
process made (it hears ``member_deleted``), the next quiet moment writes a snapshot at
once, whatever the interval, and removes every older one; an erasure by another process
comes through the change log (as its tombstone's hash, see ``service.watch``) and counts
the same. A rebuild after a change that could not be replayed, or at a start where Neo4j
moved since the snapshot, removes the older ones too: such a change may hold an erasure.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from pathlib import Path
from typing import Any

from graph.config import ConnectionSettings
from graph.files import file_lock
from graph.projection import Projection, ProjectionService, ReloadInProgress, build_from_store
from graph.projection.snapshot import (
    SnapshotError,
    open_snapshot,
    prune_snapshots,
    snapshot_info,
    write_snapshot,
)
from graph.store import Store, StoreError
from graph.store.base import WriteEvent
from graph.store.integrity import ChangeMark

log = logging.getLogger("alumni_graph.service")


def stamp_of(mark: ChangeMark) -> dict[str, Any]:
    return {"epoch": mark.epoch, "counter": mark.counter}


class Snapshots:
    """The snapshots under ``root`` as one service process uses them."""

    def __init__(self, root: Path, *, interval: float = 60.0, build_apart: bool = True) -> None:
        self.root = root
        self.interval = interval
        #: at start, build from Neo4j in a process of its own (see :meth:`_build_apart`)
        self.build_apart = build_apart
        #: the stamp of the snapshot this process last wrote or mapped
        self.stamp: dict[str, Any] | None = None
        self.written = 0
        self.adopted = 0
        self._last_write = 0.0
        self._lock_path = root / ".lock"
        # the snapshot this process serves as mapped, and its version then (a write moves it)
        self._served: Projection | None = None
        self._served_version = 0
        # the counter of the latest erasure made here that an older snapshot may still hold
        # (epoch None: not known, any later snapshot passes it); None: there is none
        self._erased_at: ChangeMark | None = None

    # -- at start ---------------------------------------------------------------------
    def start(self, store: Store, service: ProjectionService) -> ChangeMark | None:
        """Serve the current snapshot when Neo4j stands at its counter, else build from
        Neo4j and write one (in the background). Returns the counter the served projection
        is current at, None when Neo4j could not be read (then nothing is served yet)."""
        with file_lock(self._lock_path, blocking=True):
            try:
                mark = store.changes()
            except StoreError as exc:
                log.warning("could not read the change counter at start (%s)", exc)
                return None
            fresh = self.open_at(mark)
            if fresh is not None:
                self.adopt(service, fresh)
                return mark
            if self.build_apart and mark.epoch is not None and service.builder is build_from_store:
                mapped = self._build_apart(store, mark)
                if mapped is not None:
                    self.adopt(service, mapped)
                    return mark
            service.reload()
            built = service.current
            # under the lock: workers waiting on it then map this rather than build; and
            # this one serves the mapped snapshot too, so that its built copy can go. The
            # older snapshots go: Neo4j moved since them, maybe by an erasure.
            if built is not None and self._write_locked(built, mark, purge=True):
                mapped = self.open_at(mark)
                if mapped is not None:
                    self.adopt(service, mapped)
        return mark

    def _build_apart(self, store: Store, mark: ChangeMark) -> Projection | None:
        """Build from Neo4j and write the snapshot at ``mark`` in a process of its own, then
        map it here; None when that failed (logged: the caller builds here instead).

        A build's millions of small objects leave this process's heap fragmented after
        they are freed (1.1 GiB kept at 320,000 members), which no mapped snapshot gives
        back; a process that ends gives all of it back. Spawned, not forked: this process
        runs threads (heartbeat, driver) whose locks a fork would copy held.
        """
        started = time.monotonic()
        child = multiprocessing.get_context("spawn").Process(
            target=build_snapshot_apart,
            args=(store.settings, str(self.root), stamp_of(mark)),
            name="projection-build",
        )
        try:
            child.start()
            child.join()
        except OSError as exc:
            log.warning("could not start a process to build the projection (%s): building here", exc)
            return None
        if child.exitcode != 0:
            log.warning(
                "building the projection in a process of its own failed (exit %s): building here",
                child.exitcode,
            )
            return None
        self.written += 1
        self._last_write = time.monotonic()
        self._erased_at = None  # every older snapshot went with this one
        log.info(
            "projection built from Neo4j and written in a process of its own in %.1f s",
            self._last_write - started,
        )
        return self.open_at(mark)

    def open_at(self, mark: ChangeMark) -> Projection | None:
        """The current snapshot, mapped, when it was written at ``mark``; None otherwise (why
        is logged: none yet, another counter, or refused as damaged or foreign)."""
        if mark.epoch is None:
            # a new, wiped or bulk-imported database: its content moved no counter
            log.info("Neo4j's change counter was never moved: building the projection from Neo4j")
            return None
        wanted = stamp_of(mark)
        started = time.monotonic()
        try:
            info = snapshot_info(self.root)
            if info is None:
                log.info("no projection snapshot in %s yet: building from Neo4j", self.root)
                return None
            if info.stamp != wanted:
                log.info(
                    "the projection snapshot is at change %s, Neo4j at %s: building from Neo4j",
                    info.stamp,
                    wanted,
                )
                return None
            p, stamp = open_snapshot(self.root)
        except SnapshotError as exc:
            log.warning("projection snapshot refused, building from Neo4j: %s", exc)
            return None
        if stamp != wanted:  # replaced between the two reads: the next poll catches up
            return None
        self.stamp = stamp
        log.info(
            "projection mapped from the snapshot %s in %.2f s", info.path.name, time.monotonic() - started
        )
        return p

    # -- writing ----------------------------------------------------------------------
    def write(self, p: Projection, mark: ChangeMark, *, wait: bool = False, purge: bool = False) -> bool:
        """Write ``p`` as the snapshot at ``mark``; False when another process holds the
        lock (unless ``wait``), when the current snapshot is already at ``mark``, or when
        writing failed (logged: the service serves on without). ``purge`` removes every
        older snapshot, also when the current one is at ``mark`` already."""
        with file_lock(self._lock_path, blocking=wait) as held:
            return held is not None and self._write_locked(p, mark, purge=purge)

    def heard(self, event: WriteEvent) -> None:
        """A listener of this process's store (:meth:`Store.subscribe`): notes its erasures."""
        if event.kind != "member_deleted":
            return
        for row in event.rows:
            change = row.get("change") or {}
            mark = ChangeMark(change.get("epoch"), int(change.get("counter", 0)))
            if self._erased_at is None or mark.epoch is None or mark.counter > self._erased_at.counter:
                self._erased_at = mark

    @property
    def _erased(self) -> bool:
        return self._erased_at is not None

    def _passes_erasure(self, mark: ChangeMark) -> bool:
        """Whether a snapshot at ``mark`` is newer than the last erasure made here."""
        erased = self._erased_at
        return (
            erased is None
            or erased.epoch is None
            or (mark.epoch == erased.epoch and mark.counter >= erased.counter)
        )

    def _write_locked(self, p: Projection, mark: ChangeMark, *, purge: bool = False) -> bool:
        stamp = stamp_of(mark)
        if mark.epoch is None:
            return False  # a counter never moved says nothing of the content: see open_at
        if self._current_stamp() == stamp:
            if purge:
                self._purge_locked(mark)  # written by another process at the same counter
            return False
        started = time.monotonic()
        try:
            folder = write_snapshot(p, self.root, stamp, keep=0 if purge else 1)
        except (OSError, SnapshotError) as exc:
            log.error("could not write the projection snapshot into %s: %s", self.root, exc)
            return False
        if purge and self._passes_erasure(mark):
            self._erased_at = None
        self.stamp = stamp
        self.written += 1
        self._last_write = time.monotonic()
        log.info("projection snapshot %s written in %.1f s", folder.name, self._last_write - started)
        return True

    def _purge_locked(self, current: ChangeMark) -> None:
        """Remove the snapshots older than the current one, which stands at ``current``."""
        removed = prune_snapshots(self.root, keep=0)
        if self._passes_erasure(current):
            self._erased_at = None
        if removed:
            log.info("removed %d older projection snapshot(s), which may hold erased members", removed)

    def _current_stamp(self) -> Any:
        """The current snapshot's stamp; None when there is none or it cannot be read."""
        try:
            info = snapshot_info(self.root)
        except SnapshotError:
            return None
        return None if info is None else info.stamp

    # -- following changes -----------------------------------------------------------
    def settle(self, service: ProjectionService, mark: ChangeMark) -> None:
        """The serving projection stands at ``mark`` with every write up to it applied (the
        watcher's quiet time passed): map the snapshot written at ``mark`` (by another
        process, or by this one from a projection of its own or with changes in its
        overlay), or, when there is none and ``interval`` has passed since the last
        write, write one (mapped at the next call)."""
        current = service.current
        if current is None:
            return
        stamp = stamp_of(mark)
        if mark.epoch is None:
            return
        if self._current_stamp() != stamp:
            # after an erasure at once: until then the older snapshots hold the member
            if self._erased or time.monotonic() - self._last_write >= self.interval:
                self.write(current, mark, purge=self._erased)
            return
        if self._erased:
            self.write(current, mark, purge=True)  # its elders go; it stays if newer than the erasure
        if current is self._served and current.version == self._served_version:
            return  # serving that snapshot already, unchanged
        fresh = self.open_at(mark)
        if fresh is None:
            return
        try:
            self.adopt(service, fresh)
        except ReloadInProgress:
            return  # a rebuild swaps in its own; the next call maps what it writes
        self.adopted += 1

    def adopt(self, service: ProjectionService, fresh: Projection) -> None:
        """Serve ``fresh``, mapped from a snapshot (see :meth:`ProjectionService.adopt`)."""
        service.adopt(fresh)
        self._served, self._served_version = fresh, fresh.version


def build_snapshot_apart(settings: ConnectionSettings, root: str, stamp: dict[str, Any]) -> None:
    """In a process of its own: build the projection from Neo4j and write it as the
    snapshot at ``stamp``, every older one removed (see :meth:`Snapshots._build_apart`)."""
    with Store(settings) as store:
        built = build_from_store(store)
    write_snapshot(built, root, stamp, keep=0)
