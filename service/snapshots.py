"""The serving projection's snapshots (:mod:`graph.projection.snapshot`): start from the
last one when Neo4j has not changed since, write a new one after each build and, at most
every ``interval`` seconds, after a batch of changes; share them between workers.

A snapshot is stamped with the change counter it is current at. Which counter that is
matters: a build is stamped with the counter read *before* it started (it holds at least
every write up to there), and a snapshot of the serving projection with the counter the
watcher last saw, once the counter has stood still for its quiet time (every write up to
there has been applied). Stamped lower than its content is harmless — the next start sees
another counter in Neo4j and rebuilds —; stamped higher would serve a stale projection.

Several processes (``serve --workers N``) share one folder. A file lock (``.lock``) makes
one of them build and write while the others wait and then map what it wrote, so N
workers starting together cost one build; later, the one that takes the lock writes the
next snapshot, and the others swap to it when they stand at the same counter.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from graph.projection import Projection, ProjectionService, ReloadInProgress
from graph.projection.snapshot import SnapshotError, open_snapshot, snapshot_info, write_snapshot
from graph.store import Store, StoreError
from graph.store.integrity import ChangeMark

log = logging.getLogger("alumni_graph.service")


def stamp_of(mark: ChangeMark) -> dict[str, Any]:
    return {"epoch": mark.epoch, "counter": mark.counter}


@contextmanager
def _file_lock(path: Path, *, blocking: bool) -> Iterator[int | None]:
    """``flock`` on ``path``: yields the descriptor holding it, or None when not blocking
    and another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield None
            return
        yield fd
    finally:
        os.close(fd)  # closing lets go of the lock


class Snapshots:
    """The snapshots under ``root`` as one service process uses them."""

    def __init__(self, root: Path, *, interval: float = 60.0) -> None:
        self.root = root
        self.interval = interval
        #: the stamp of the snapshot this process last wrote or mapped
        self.stamp: dict[str, Any] | None = None
        self.written = 0
        self.adopted = 0
        self._last_write = 0.0
        self._lock_path = root / ".lock"

    # -- at start ---------------------------------------------------------------------
    def start(self, store: Store, service: ProjectionService) -> ChangeMark | None:
        """Serve the current snapshot when Neo4j stands at its counter, else build from
        Neo4j and write one (in the background). Returns the counter the served projection
        is current at, None when Neo4j could not be read (then nothing is served yet)."""
        with _file_lock(self._lock_path, blocking=True):
            try:
                mark = store.changes()
            except StoreError as exc:
                log.warning("could not read the change counter at start (%s)", exc)
                return None
            fresh = self.open_at(mark)
            if fresh is not None:
                service.adopt(fresh)
                return mark
            service.reload()
            built = service.current
        if built is not None:
            self.write_later(built, mark)
        return mark

    def open_at(self, mark: ChangeMark) -> Projection | None:
        """The current snapshot, mapped, when it was written at ``mark``; None otherwise (why
        is logged: none yet, another counter, or refused as damaged or foreign)."""
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
    def write(self, p: Projection, mark: ChangeMark, *, wait: bool = False) -> bool:
        """Write ``p`` as the snapshot at ``mark``; False when another process holds the
        lock (unless ``wait``), when the current snapshot is already at ``mark``, or when
        writing failed (logged: the service serves on without)."""
        stamp = stamp_of(mark)
        try:
            with _file_lock(self._lock_path, blocking=wait) as held:
                if held is None:
                    return False
                if self._current_stamp() == stamp:
                    return False
                started = time.monotonic()
                folder = write_snapshot(p, self.root, stamp)
        except (OSError, SnapshotError) as exc:
            log.error("could not write the projection snapshot into %s: %s", self.root, exc)
            return False
        self.stamp = stamp
        self.written += 1
        self._last_write = time.monotonic()
        log.info("projection snapshot %s written in %.1f s", folder.name, self._last_write - started)
        return True

    def write_later(self, p: Projection, mark: ChangeMark) -> threading.Thread:
        """:meth:`write` in a thread of its own (the service answers meanwhile)."""
        thread = threading.Thread(
            target=self.write, args=(p, mark), kwargs={"wait": True}, name="snapshot-writer", daemon=True
        )
        thread.start()
        return thread

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
        watcher's quiet time passed): map the snapshot another process wrote at ``mark``,
        or, when none did and ``interval`` has passed since the last, write one."""
        stamp = stamp_of(mark)
        if self.stamp == stamp or service.current is None:
            return
        if self._current_stamp() == stamp:
            fresh = self.open_at(mark)
            if fresh is not None:
                try:
                    service.adopt(fresh)
                except ReloadInProgress:
                    self.stamp = None  # a rebuild swaps in its own; try again after it
                    return
                self.adopted += 1
            return
        if time.monotonic() - self._last_write >= self.interval:
            self.write(service.current, mark)
