"""The projection as a shared snapshot: write and map times, the algorithms' CPU on it, and
the memory of processes that each hold the projection versus processes that map one
snapshot.

    python -m bench.run snapshot [--tier faculty] [--sample 200]
    python -m bench.snapshot --serve MEMBERS [--workers 1,2]


No Neo4j: the projection is the tier's bundle built through the loaders (cached as a
pickle by ``bench.common.cached_projection``). Memory is read by this process from each
child's ``/proc/<pid>/smaps_rollup`` while all children of a round are alive: RSS counts
shared pages in every process that maps them, PSS divides them among those processes, USS
is a process's private pages alone.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import DATA_DIR, SEED, cached_projection, save

_FIELDS = {"Rss": "rss", "Pss": "pss", "Private_Clean": "uss", "Private_Dirty": "uss"}


def _memory(pid: int) -> dict[str, float]:
    """RSS, PSS and USS of ``pid`` in MiB."""
    out = {"rss": 0.0, "pss": 0.0, "uss": 0.0}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in _FIELDS:
            out[_FIELDS[name]] += int(rest.split()[0]) / 1024
    return {k: round(v, 1) for k, v in out.items()}


def _touch(p: Any, sample: list[int]) -> None:
    """Read every per-member row once (so a snapshot's pages are all mapped in) and rank
    suggestions for the sample, as a serving process would."""
    from graph.algorithms.suggestions import suggest

    for rows in (p.adj, p.since, p.positions):
        for _ in rows:
            pass
    for facet in p._member_facets():
        for _ in facet.of_member:
            pass
        for _ in facet.members_of:
            pass
    for m in sample:
        suggest(p, m)


def _child(mode: str, source: str, sample_size: int) -> None:
    """Hold a projection (``pickle``: private, ``snapshot``: mapped) until stdin closes."""
    import pickle
    import threading

    from graph.projection import Projection
    from graph.projection.snapshot import open_snapshot

    if mode == "pickle":
        with open(source, "rb") as f:
            state = pickle.load(f)
        p = object.__new__(Projection)
        p.__dict__.update(state)
        p._lock = threading.Lock()
    else:
        p, _ = open_snapshot(source)
    sample = random.Random(SEED).sample(list(p.members()), sample_size)
    _touch(p, sample)
    print("ready", flush=True)
    sys.stdin.read()


def _round(mode: str, source: Path, count: int, sample: int) -> list[dict[str, float]]:
    """``count`` children of ``mode`` alive together; their memory once all are ready."""
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.snapshot", "--child", mode, str(source), "--sample", str(sample)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            line = child.stdout.readline()
            if line.strip() != "ready":
                raise SystemExit(f"a {mode} child failed (exit {child.wait()})")
        return [_memory(child.pid) for child in children]
    finally:
        for child in children:
            assert child.stdin is not None
            child.stdin.close()
            child.wait()


def _cpu_per_call(p: Any, members: list[int]) -> float:
    from graph.algorithms.suggestions import suggest

    for m in members[:20]:
        suggest(p, m)
    started = time.process_time()
    for m in members:
        suggest(p, m)
    return round((time.process_time() - started) / len(members) * 1000, 3)


def _sum(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(sum(r[k] for r in rows), 1) for k in ("rss", "pss", "uss")}


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").iterdir():
            todo.extend(int(c) for c in (task / "children").read_text().split())
    return out


def _serve_once(members: int, workers: int, snapshots: Path) -> dict[str, Any]:
    """Start ``serve`` on the configured Neo4j; seconds until every worker's /health shows
    ``members``, and the memory of all its processes then."""
    import httpx

    from bench.load_test import _free_port

    port = _free_port()
    env = {**os.environ, "ALUMNI_GRAPH_SNAPSHOT_DIR": str(snapshots)}
    exe = str(Path(sys.executable).with_name("alumni-graph"))
    started = time.monotonic()
    proc = subprocess.Popen(
        [exe, "serve", "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ready: set[int] = set()
        mapped: set[str | None] = set()
        while len(ready) < workers:
            if proc.poll() is not None:
                raise SystemExit("serve exited")
            try:
                with httpx.Client(timeout=30) as c:
                    health = c.get(f"http://127.0.0.1:{port}/health").json()
            except httpx.HTTPError:
                time.sleep(0.1)
                continue
            if (health.get("projection") or {}).get("members") == members:
                ready.add(health["process"])
                mapped.add(health["projection"]["snapshot"])
        seconds = time.monotonic() - started
        pids = _tree(proc.pid)
        rows = [_memory(pid) for pid in pids]
        each = [
            {"process": Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[-60:], **row}
            for pid, row in zip(pids, rows, strict=True)
        ]
        return {
            "seconds": round(seconds, 1),
            "processes": len(pids),
            "memory": _sum(rows),
            "each": each,
            "snapshots": sorted(map(str, mapped)),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def serve_starts(members: int, workers: list[int]) -> dict[str, Any]:
    """For each worker count: a start with no snapshot (built from Neo4j) and one from the
    snapshot the first wrote (Neo4j unchanged)."""
    out: dict[str, Any] = {}
    for count in workers:
        root = Path(tempfile.mkdtemp(prefix="serve-snapshots-", dir=DATA_DIR))
        out[f"workers_{count}"] = {
            "from_neo4j": _serve_once(members, count, root),
            "from_snapshot": _serve_once(members, count, root),
        }
        print(count, out[f"workers_{count}"], flush=True)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench.snapshot")
    parser.add_argument("--tier", default="faculty")
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "SOURCE"))
    parser.add_argument("--serve", type=int, metavar="MEMBERS", help="time serve's starts instead")
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args(argv)
    if args.serve:
        result = serve_starts(args.serve, [int(w) for w in args.workers.split(",")])
        save("snapshot-serve", result)
        return result
    if args.child:
        _child(args.child[0], args.child[1], args.sample)
        return {}

    from graph.projection.snapshot import open_snapshot, write_snapshot

    p, _ = cached_projection(args.tier)
    pickled = sorted(DATA_DIR.glob(f"{args.tier}-{SEED}.projection-*.pickle"))[-1]
    root = Path(tempfile.mkdtemp(prefix=f"snapshot-{args.tier}-", dir=DATA_DIR))
    started = time.perf_counter()
    folder = write_snapshot(p, root, {"bench": args.tier})
    written = time.perf_counter() - started
    started = time.perf_counter()
    q, _ = open_snapshot(root)
    mapped = time.perf_counter() - started
    members = random.Random(SEED).sample(list(p.members()), args.sample)
    result: dict[str, Any] = {
        "tier": args.tier,
        "members": p.n_members,
        "ties": p.n_ties,
        "snapshot_mib": round(sum(f.stat().st_size for f in folder.iterdir()) / 2**20, 1),
        "write_s": round(written, 2),
        "map_s": round(mapped, 2),
        "suggest_cpu_ms_memory": _cpu_per_call(p, members),
        "suggest_cpu_ms_snapshot": _cpu_per_call(q, members),
    }
    del p, q
    for name, mode, source, count in (
        ("one_private", "pickle", pickled, 1),
        ("two_private", "pickle", pickled, 2),
        ("one_mapped", "snapshot", root, 1),
        ("two_mapped", "snapshot", root, 2),
    ):
        rows = _round(mode, source, count, args.sample)
        result[name] = {"each": rows, "sum": _sum(rows)}
        print(name, result[name], flush=True)
    save(f"snapshot-{args.tier}", result)
    return result


if __name__ == "__main__":
    main()
