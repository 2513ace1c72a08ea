"""What the tombstone check costs a load: the same bundle with N tombstones and with none.

``python -m bench.run tombstones --tier faculty --tombstones 1000 --rounds 2 [--pipeline-rounds 3]``

Two measurements, both paired (with and without tombstones in turn, in one process):

- **pipeline**: the loaders alone, writing into an in-memory projection instead of Neo4j
  (``loaders.to_projection``), so that only the Python side runs, which is where the
  check is (one HMAC per member row, a set lookup or two per relationship row). Process
  CPU seconds, the figure the check adds to.
- **load**: the whole load into an empty Neo4j: wall seconds, which the machine's other
  work moves far more than the check costs, and CPU seconds of the loader and the Neo4j
  server together (``/proc``; the bench's own local server only), which it moves less.

and, once, the time spent inside the check itself (``inside_the_check``: calls, seconds).

The tombstones match no row of the bundle (ids and e-mail addresses the generator never
makes), so every row is checked and none skipped: the cost of the check, not the saving
of skipped rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import TIERS, bench_connection, bench_server_settings, dataset, save
from graph.store import Store
from graph.store.tombstones import merge_tombstones
from graph.tombstones import TombstoneIndex, TombstoneKey
from loaders import load_path
from loaders.to_projection import ProjectionSink
from service.neo4j_server import LocalNeo4j


def _stones(key: TombstoneKey, n: int) -> list[Any]:
    return [
        key.tombstone(f"bench-erased-{i:05d}", f"bench.erased.{i}@example.invalid", "2024-01-01")
        for i in range(n)
    ]


class _SinkWithTombstones(ProjectionSink):
    """A projection sink whose loads see ``index`` as the database's tombstones."""

    def __init__(self, index: TombstoneIndex) -> None:
        super().__init__()
        self.index = index

    def tombstone_index(self) -> TombstoneIndex:
        return self.index


def _pipeline_once(path: Path, index: TombstoneIndex) -> float:
    sink = _SinkWithTombstones(index)
    start = time.process_time()
    report = load_path(sink, path)  # type: ignore[arg-type]
    seconds = time.process_time() - start
    assert not report.erased, "the bench's tombstones must match no row"
    return seconds


def _time_in_check(path: Path, index: TombstoneIndex) -> dict[str, Any]:
    """One loader-only pass with the check itself timed: an upper bound of its cost (the
    timer's own overhead and, on a busy machine, preemption are in it)."""
    from loaders import pipeline

    spent = {"calls": 0, "seconds": 0.0}
    original = pipeline._Run._erased

    def timed(run: Any, record: Any) -> str | None:
        start = time.perf_counter()
        try:
            return original(run, record)
        finally:
            spent["seconds"] += time.perf_counter() - start
            spent["calls"] += 1

    pipeline._Run._erased = timed  # type: ignore[method-assign]
    start = time.perf_counter()
    try:
        _pipeline_once(path, index)
    finally:
        pipeline._Run._erased = original  # type: ignore[method-assign]
    wall = time.perf_counter() - start
    calls = int(spent["calls"])
    # both in wall seconds: on a busy machine each is several times its CPU time, alike
    return {
        "calls": calls,
        "seconds": round(spent["seconds"], 3),
        "pass_wall_seconds": round(wall, 2),
        "share_of_pass": round(spent["seconds"] / wall, 4),
    }


def _server_cpu_seconds(pid: int | None) -> float:
    """CPU seconds the Neo4j server has used so far (0 when it is not ours to read)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _load_once(store: Store, path: Path, tombstones: int, server_pid: int | None) -> tuple[float, float]:
    """Wall seconds of one load into an empty database, and the CPU seconds it took: the
    loader's process and the Neo4j server together, which the machine's other work
    disturbs far less than the wall time."""
    store.wipe(keep_security=False)  # tombstones and journal too
    if tombstones:
        key = store.tombstone_files.key(create=True)
        assert key is not None
        stones = _stones(key, tombstones)
        store.write_tx(lambda tx: merge_tombstones(tx, stones, key))
        store.tombstone_files.append(stones)
    cpu = time.process_time() + _server_cpu_seconds(server_pid)
    start = time.perf_counter()
    report = load_path(store, path)
    seconds = time.perf_counter() - start
    cpu = time.process_time() + _server_cpu_seconds(server_pid) - cpu
    assert not report.erased and report.ok, report.error_lines()[:5]
    return seconds, cpu


def _pairs(none: Sequence[float], some: Sequence[float]) -> dict[str, Any]:
    ratios = [s / n for n, s in zip(none, some, strict=True)]
    return {
        "without": [round(x, 2) for x in none],
        "with": [round(x, 2) for x in some],
        "median_without": round(statistics.median(none), 2),
        "median_with": round(statistics.median(some), 2),
        "ratios": [round(r, 4) for r in ratios],
        "median_ratio": round(statistics.median(ratios), 4),
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench tombstones")
    parser.add_argument("--tier", default="faculty", choices=sorted(TIERS))
    parser.add_argument("--tombstones", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2, help="paired full loads into Neo4j (0: none)")
    parser.add_argument("--pipeline-rounds", type=int, default=3, help="paired loader-only passes")
    args = parser.parse_args(argv)
    path = dataset(args.tier)
    key = TombstoneKey(b"bench key, not a secret".ljust(32, b"."))
    index = TombstoneIndex(key)
    for stone in _stones(key, args.tombstones):
        index.add(stone)
    results: dict[str, Any] = {"tier": args.tier, "members": TIERS[args.tier], "tombstones": args.tombstones}
    load_at_start = round(os.getloadavg()[0], 1)

    none: list[float] = []
    some: list[float] = []
    for i in range(args.pipeline_rounds):
        # alternate which goes first, so that a drift in the machine's load cancels out
        order = [(none, TombstoneIndex()), (some, index)]
        for into, idx in order if i % 2 == 0 else reversed(order):
            into.append(_pipeline_once(path, idx))
        print("pipeline", i, none[-1], some[-1], flush=True)
    if none:
        results["pipeline_cpu_seconds"] = _pairs(none, some)
        results["inside_the_check"] = _time_in_check(path, index)
        print("inside the check", results["inside_the_check"], flush=True)

    if args.rounds:
        wall: dict[int, list[float]] = {0: [], args.tombstones: []}
        cpu: dict[int, list[float]] = {0: [], args.tombstones: []}
        settings = bench_connection()
        server_pid = None if os.environ.get("NEO4J_URI") else LocalNeo4j(bench_server_settings()).pid()
        with Store(settings) as store:
            store.migrate()
            for i in range(args.rounds):
                order = [0, args.tombstones]
                for n in order if i % 2 == 0 else reversed(order):
                    seconds, used = _load_once(store, path, n, server_pid)
                    wall[n].append(seconds)
                    cpu[n].append(used)
                print("load", i, {n: (w[-1], cpu[n][-1]) for n, w in wall.items()}, flush=True)
            store.wipe(keep_security=False)
        results["load_wall_seconds"] = _pairs(wall[0], wall[args.tombstones])
        if server_pid is not None:
            results["load_cpu_seconds"] = _pairs(cpu[0], cpu[args.tombstones])
    results["load_average_1min"] = {"start": load_at_start, "end": round(os.getloadavg()[0], 1)}
    save("tombstones", results)
    return results
