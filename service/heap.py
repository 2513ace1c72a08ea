"""Keep the garbage collector off the long-lived heap (``ALUMNI_GRAPH_GC_FREEZE``).

CPython's collector of reference cycles walks every object it tracks when it collects the
oldest generation, and it does so whenever the objects that survived the younger ones
reach a quarter of those already old. A worker's heap is mostly what lives as long as the
process or the projection: the modules, the projection's strings and dictionaries (ids,
names, vocabularies), the kept profiles. Under the 50-client load test at the faculty tier
a worker collected its oldest generation about every 5 s, and each such collection
stopped the worker for 240-540 ms (measured with ``gc.callbacks``, bench/RESULTS.md): the
largest part of the load test's p99.

``gc.freeze`` moves every tracked object into a permanent generation that no collection
walks. :class:`HeapFreezer` does so once the service has started, and again after each
projection swap: then it first unfreezes and collects once, so that the cycles of the
projection just let go of are freed rather than kept for ever. Between swaps, what
survives a collection of the oldest generation is frozen too (after a collection of the
younger ones), so the next one walks only what came since; and every ``rebase_seconds``
(10 minutes) the frozen generation is collected once as after a swap. Reference counting
still frees every frozen object that stops being used; only cycles among frozen objects
(a closed connection's, say) wait for that collection.
"""

from __future__ import annotations

import gc
import logging
import time
import weakref
from collections.abc import Callable

from service.periodic import Periodic

log = logging.getLogger("alumni_graph.service")


class HeapFreezer(Periodic):
    """Freezes the heap after start-up and after every swap of ``current()``'s object.

    ``check`` does the work when due; :meth:`start` calls it every ``interval`` seconds
    from a thread of its own. ``pauses_ms`` holds the pause of each freeze."""

    name = "heap-freezer"
    failure = "freezing the heap failed"

    def __init__(
        self, current: Callable[[], object | None], interval: float = 1.0, rebase_seconds: float = 600.0
    ) -> None:
        super().__init__(interval)
        self.current = current
        self.rebase_seconds = rebase_seconds
        self._rebased_at = time.monotonic()
        self._full_collections = gc.get_stats()[2]["collections"]
        self.freezes = 0
        self.pauses_ms: list[float] = []
        self._frozen_for: weakref.ref[object] | None = None

    def start(self) -> HeapFreezer:
        self.check()
        return super().start()

    def step(self) -> bool:
        return self.check()

    def check(self) -> bool:
        """Freeze when due (see the module); True when it did."""
        serving = self.current()
        if serving is None:
            return False
        # a weak reference: the projection let go of must be freed, and its successor
        # may be given the same id
        if self._frozen_for is None or self._frozen_for() is not serving:
            self.freeze(swapped=self._frozen_for is not None)
            self._frozen_for = weakref.ref(serving)
            return True
        if time.monotonic() - self._rebased_at >= self.rebase_seconds:
            self.freeze(swapped=True)
            return True
        if gc.get_stats()[2]["collections"] != self._full_collections:
            # what the oldest generation's collection left is alive: out of the next one's way
            gc.collect(1)
            gc.freeze()
            self._full_collections = gc.get_stats()[2]["collections"]
            return True
        return False

    def freeze(self, swapped: bool = False) -> None:
        """Collect what is garbage now, then freeze what is left. After a swap the frozen
        generation is collected too (the previous projection's cycles)."""
        started = time.perf_counter()
        if swapped:
            gc.unfreeze()
            self._rebased_at = time.monotonic()
        gc.collect()
        gc.freeze()
        self._full_collections = gc.get_stats()[2]["collections"]
        pause = (time.perf_counter() - started) * 1000
        self.freezes += 1
        self.pauses_ms.append(pause)
        log.info("froze %d objects out of the collector's reach (%.0f ms)", gc.get_freeze_count(), pause)


def start_heap_freezer(current: Callable[[], object | None], enabled: bool) -> HeapFreezer | None:
    """A started :class:`HeapFreezer` when ``enabled``, else None."""
    return HeapFreezer(current).start() if enabled else None
