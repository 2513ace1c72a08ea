"""A probe for the load test (``--probe``): what each service process waited on.

Put on ``PYTHONPATH`` only by ``bench/load_test.py --probe``; Python imports
``sitecustomize`` at the start of every interpreter, so the supervisor and each worker
record, in ``ALUMNI_GRAPH_PROBE_DIR/<pid>.json`` (rewritten every second): the garbage
collector's pauses (``gc.callbacks``), the waits of calls handed to the thread pool for
a thread (``anyio.to_thread.run_sync``), and the time of each ``Store.read`` (a Neo4j
read). Timings only; never imported by the service itself.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time

_DIR = os.environ.get("ALUMNI_GRAPH_PROBE_DIR")
_gc_start: list[float] = [0.0]
_samples: dict[str, list[float]] = {"gc_ms": [], "gc2_ms": [], "pool_wait_ms": [], "neo4j_read_ms": []}
_marks: list[tuple[float, str]] = []


def _on_gc(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _gc_start[0] = time.perf_counter()
        return
    ms = (time.perf_counter() - _gc_start[0]) * 1000
    _samples["gc2_ms" if info.get("generation") == 2 else "gc_ms"].append(ms)


def _wrap_pool() -> None:
    import anyio.to_thread

    original = anyio.to_thread.run_sync

    async def run_sync(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        submitted = time.perf_counter()

        def timed(*a):  # type: ignore[no-untyped-def]
            _samples["pool_wait_ms"].append((time.perf_counter() - submitted) * 1000)
            return func(*a)

        return await original(timed, *args, **kwargs)

    anyio.to_thread.run_sync = run_sync


def _wrap_store(cls: type) -> None:
    original = cls.read

    def read(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            _samples["neo4j_read_ms"].append((time.perf_counter() - t0) * 1000)

    cls.read = read


def _watch() -> None:
    """Wrap the modules once the worker imported them; write the samples every second."""
    pool = store = False
    path = os.path.join(_DIR or ".", f"{os.getpid()}.json")
    while True:
        time.sleep(0.05 if not (pool and store) else 1.0)
        if not pool and "anyio.to_thread" in sys.modules:
            _wrap_pool()
            pool = True
        base = sys.modules.get("graph.store.base")
        if not store and base is not None and hasattr(base, "StoreBase"):
            _wrap_store(base.StoreBase)
            store = True
        if pool and store:
            data = {"argv": sys.argv[:3], "frozen": gc.get_freeze_count()}
            data.update({k: list(v) for k, v in _samples.items()})
            tmp = path + ".tmp"
            with open(tmp, "w", encoding="ascii") as fh:
                json.dump(data, fh)
            os.replace(tmp, path)


if _DIR:
    gc.callbacks.append(_on_gc)
    threading.Thread(target=_watch, name="probe", daemon=True).start()
