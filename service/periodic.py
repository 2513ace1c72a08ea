"""A daemon thread that takes one step every ``interval`` seconds until stopped.

The heartbeat, the heap freezer and the member cache's filler each run such a loop beside
the requests; what differs is their step and which errors a step may meet in passing.
"""

from __future__ import annotations

import logging
import threading
from typing import ClassVar, Self

log = logging.getLogger("alumni_graph.service")


class Periodic:
    """Calls :meth:`step` every ``interval`` seconds from a thread of its own.

    A step that raises one of ``expected`` is tried again at the next turn; any other
    error is logged as ``failure`` and the loop goes on: what these loops do helps the
    service, and the service serves on without it."""

    name: ClassVar[str] = "periodic"
    failure: ClassVar[str] = "a periodic step failed"
    expected: ClassVar[tuple[type[Exception], ...]] = ()

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def step(self) -> object:
        raise NotImplementedError

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.step()
            except self.expected:
                continue
            except Exception:
                log.exception(self.failure)
